"""The local test checkout can never take over in production: settings refuse STRIPE_DEMO_CHECKOUT=1 unless
DEBUG=1, its pages answer 404 when DEBUG is off, and a real STRIPE_SECRET_KEY always wins."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from fundraising.payments.checkout import donation_checkout_start
from tests.challenge_helpers import donate_post
from tests.manage_run import PRODUCTION, run_manage
from tests.stripe_standin.server import SECRET_KEY, CheckoutStandIn

WEBHOOK_SECRET = "whsec_" + "x1" * 16  # production settings refuse a placeholder such as whsec_x


@pytest.mark.slow
def test_it_refuses_to_start_with_debug_off():
    result = run_manage({**PRODUCTION, "STRIPE_DEMO_CHECKOUT": "1", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "STRIPE_DEMO_CHECKOUT=1" in result.stderr.splitlines()[-1]
    assert "DEBUG=1" in result.stderr.splitlines()[-1]


@pytest.mark.slow
def test_it_refuses_to_start_without_a_webhook_secret():
    result = run_manage({"DEBUG": "1", "STRIPE_DEMO_CHECKOUT": "1"}, "check")
    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET" in result.stderr.splitlines()[-1]


@pytest.mark.slow
def test_it_starts_in_debug_with_a_webhook_secret():
    result = run_manage({"DEBUG": "1", "STRIPE_DEMO_CHECKOUT": "1", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}, "check")
    assert result.returncode == 0, result.stderr


@pytest.fixture
def demo_session(settings, campaign):
    """A session made while the demo was on; then DEBUG goes off (as if the setting were slipped in at run time)."""
    settings.DEBUG, settings.STRIPE_DEMO_CHECKOUT, settings.STRIPE_SECRET_KEY = True, True, ""
    _, url = donation_checkout_start(campaign=campaign, amount=2500, kind=Donation.Kind.ONE_TIME)
    settings.DEBUG = False
    return url.rstrip("/").rsplit("/", 1)[1]


def test_it_answers_404_when_debug_is_off(client, demo_session):
    assert client.get(f"/demo-checkout/{demo_session}/").status_code == 404
    assert client.post(f"/demo-checkout/{demo_session}/pay/").status_code == 404
    assert not stripe_api.demo_checkout_active()


def test_it_leaves_the_seam_to_stripe_when_debug_is_off(client, demo_session, campaign):
    with pytest.raises(stripe_api.StripeNotConfigured):
        donation_checkout_start(campaign=campaign, amount=2500, kind=Donation.Kind.ONE_TIME)
    response = donate_post(client, "/c/lights/", {"preset": "2500", "kind": "one_time"})
    assert response.status_code == 503  # "not set up yet", as before
    assert "not set up yet" in response.content.decode()


def test_it_uses_stripe_when_a_secret_key_is_set(settings, campaign, client):
    import stripe

    settings.DEBUG, settings.STRIPE_DEMO_CHECKOUT = True, True
    with CheckoutStandIn(webhook_url="http://127.0.0.1:9/unused/") as standin:
        settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE = SECRET_KEY, standin.url
        try:
            donation, url = donation_checkout_start(campaign=campaign, amount=2500, kind=Donation.Kind.ONE_TIME)
        finally:
            stripe.api_base = "https://api.stripe.com"
    session_id = url.rsplit("/", 1)[1]
    assert url.startswith(f"{standin.url}/pay/cs_test")  # Stripe's (stand-in's) hosted page, not ours
    assert session_id in standin.sessions
    assert client.get(f"/demo-checkout/{session_id}/").status_code == 404
    assert "test payment on this computer" not in client.get("/c/lights/").content.decode()
