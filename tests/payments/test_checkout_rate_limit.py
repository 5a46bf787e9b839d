"""Card-testing defence: one client IP opens at most DONATION_RATE_LIMIT Checkout Sessions a window."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from tests.challenge_helpers import donate_post


def test_it_answers_429_past_the_limit(client, campaign, settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_rate"
    settings.DONATION_RATE_LIMIT = (3, 60)
    monkeypatch.setattr(
        stripe_api, "checkout_session_create", lambda **kw: {"id": f"cs_{Donation.objects.count()}", "url": "https://x/"}
    )
    codes = [donate_post(client, "/c/lights/", {"preset": "500", "kind": "one_time"}).status_code for _ in range(5)]
    assert codes == [303, 303, 303, 429, 429]
    limited = donate_post(client, "/c/lights/", {"preset": "500", "kind": "one_time"})
    assert "Please wait a minute" in limited.content.decode()
    assert limited["Retry-After"] == "60"
    assert Donation.objects.count() == 3
    other_ip = donate_post(client, "/c/lights/", {"preset": "500", "kind": "one_time"}, REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 303


@pytest.mark.parametrize("raw", ["5", "five/60", "0/60", "5/0", "5/-1"])
def test_it_refuses_a_malformed_setting(raw, monkeypatch):
    from fundraising import settings as project_settings

    monkeypatch.setenv("DONATION_RATE_LIMIT", raw)
    with pytest.raises(ImproperlyConfigured, match="DONATION_RATE_LIMIT"):
        project_settings.env_rate("DONATION_RATE_LIMIT", "5/60")


def test_it_limits_each_donor_behind_a_proxy_not_the_proxy(client, campaign, settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_rate"
    settings.DONATION_RATE_LIMIT = (2, 60)
    settings.NUM_PROXIES = 1
    monkeypatch.setattr(
        stripe_api, "checkout_session_create", lambda **kw: {"id": f"cs_{Donation.objects.count()}", "url": "https://x/"}
    )

    def post(forwarded_for):
        data = {"preset": "500", "kind": "one_time"}
        headers = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": forwarded_for}
        return donate_post(client, "/c/lights/", data, **headers).status_code

    # The first address is the donor's own claim; the proxy appended the one it saw, which counts.
    assert [post(f"6.6.6.{n}, 203.0.113.5") for n in range(3)] == [303, 303, 429]
    assert post("198.51.100.7") == 303
