"""With Redis down, donors never see a 500: every rate limit falls back to a per-process counter and says so."""

import logging

import pytest

from fundraising.core import ratelimit
from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from tests.challenge_helpers import donate_post

# A Redis nobody listens on: every cache call fails with a connection error, as while Redis restarts.
CLOSED_PORT_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/4",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def redis_down(settings, monkeypatch):
    settings.CACHES = CLOSED_PORT_REDIS
    monkeypatch.setattr(ratelimit, "_fallback", ratelimit.BoundedMemo(ratelimit.FALLBACK_KEYS))
    monkeypatch.setitem(ratelimit._warned, "at", float("-inf"))


@pytest.fixture
def stripe_checkout(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_redis_down"
    monkeypatch.setattr(
        stripe_api,
        "checkout_session_create",
        lambda **kw: {"id": f"cs_{Donation.objects.count()}", "url": "https://x/"},
    )


def test_it_takes_donations_and_still_limits_them_per_process(client, campaign, settings, redis_down, stripe_checkout):
    settings.DONATION_RATE_LIMIT = (3, 60)
    codes = [donate_post(client, "/c/lights/", {"preset": "500", "kind": "one_time"}).status_code for _ in range(5)]
    assert codes == [303, 303, 303, 429, 429]
    assert Donation.objects.count() == 3


def test_it_warns_once_a_minute_not_once_a_request(client, campaign, redis_down, stripe_checkout, caplog):
    with caplog.at_level(logging.WARNING, logger="fundraising.core.ratelimit"):
        for _ in range(3):
            donate_post(client, "/c/lights/", {"preset": "500", "kind": "one_time"})
    warnings = [r for r in caplog.records if r.name == "fundraising.core.ratelimit"]
    assert len(warnings) == 1
    assert "per-process" in warnings[0].getMessage()


def test_it_shows_the_thanks_page(client, campaign, redis_down):
    Donation.objects.create(campaign=campaign, amount=2500, currency="usd", stripe_checkout_session_id="cs_test_x")
    response = client.get("/c/lights/thanks/?session_id=cs_test_x")
    assert response.status_code == 200


def test_it_answers_a_manage_link_request(client, campaign, redis_down):
    response = client.post("/c/lights/manage/", {"email": "donor@example.org"})
    assert response.status_code == 200


def test_it_counts_a_new_window_after_the_old_one_ends(redis_down, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: clock[0])
    assert [ratelimit.rate_take(key="k", limit=(1, 60)) for _ in range(2)] == [True, False]
    clock[0] += 61
    assert ratelimit.rate_take(key="k", limit=(1, 60)) is True


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: now[0])
    return now


def test_it_opens_the_new_window_when_the_old_one_has_just_ended(redis_down, clock):
    assert [ratelimit.rate_take(key="k", limit=(1, 60)) for _ in range(2)] == [True, False]
    clock[0] += 60
    assert ratelimit.rate_take(key="k", limit=(1, 60)) is True


def test_it_counts_each_key_apart_per_process(redis_down, settings):
    settings.RATE_LIMIT_MULTIPLIER = 1
    assert ratelimit.rate_take(key="alice", limit=(1, 60)) is True
    assert ratelimit.rate_take(key="bob", limit=(1, 60)) is True
    assert ratelimit.rate_take(key="alice", limit=(1, 60)) is False


def test_it_names_the_failure_and_warns_again_a_minute_later(redis_down, clock, caplog):
    with caplog.at_level(logging.WARNING, logger="fundraising.core.ratelimit"):
        ratelimit.rate_take(key="k", limit=(5, 60))
        clock[0] += 59
        ratelimit.once_taken(key="m")
        clock[0] += 1
        ratelimit.once_taken(key="m")
    assert [r.getMessage() for r in caplog.records] == [
        "rate limits use per-process counters: the shared cache is unreachable (ConnectionError)"
    ] * 2


def test_once_taken_answers_from_this_process_until_the_window_ends(redis_down, clock):
    assert ratelimit.once_taken(key="m") is False
    assert ratelimit.once_take(key="m", seconds=60) is True
    assert ratelimit.once_taken(key="m") is True  # taken once is taken
    assert ratelimit.once_take(key="m", seconds=60) is False
    assert ratelimit.once_taken(key="other") is False
    clock[0] += 59
    assert ratelimit.once_taken(key="m") is True
    clock[0] += 1
    assert ratelimit.once_taken(key="m") is False
