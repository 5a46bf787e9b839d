"""Velocity rules: sessions that close unpaid raise the challenge's cost for their address and campaign, then
pause the campaign's sessions for the window with one e-mail to its owners. Failures arrive as signed events."""

import pytest
from django.core import mail

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api, velocity
from tests.challenge_helpers import donate_post
from tests.stripe_standin import events

FORM = {"preset": "500", "kind": "one_time"}


@pytest.fixture
def sessions(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_velocity"
    settings.DONATION_RATE_LIMIT = (1000, 60)
    settings.ALTCHA_DIFFICULTY = 4
    settings.DONATION_VELOCITY_ADDRESS = (2, 3600)
    settings.DONATION_VELOCITY_CAMPAIGN = (4, 3600)
    settings.DONATION_VELOCITY_PAUSE = (6, 3600)
    made = []

    def create(*, params, idempotency_key):
        made.append(params)
        return {"id": f"cs_test_v{len(made)}", "url": "https://checkout.stripe.test/"}

    monkeypatch.setattr(stripe_api, "checkout_session_create", create)
    return made


def abandon(client, address, event_type="checkout.session.expired"):
    """A session opened from `address` through the page, then closed unpaid by Stripe's event."""
    assert donate_post(client, "/c/lights/", FORM, REMOTE_ADDR=address).status_code == 303
    donation = Donation.objects.order_by("-created_at").first()
    session = events.checkout_session(amount=500, donation=donation.id, payment_status="unpaid",
                                      session_id=donation.stripe_checkout_session_id)  # fmt: skip
    events.post_event(client, events.event(event_type, session))
    return session


def test_it_raises_the_bar_for_an_address_with_failed_sessions(client, campaign, sessions):
    assert velocity.challenge_difficulty(campaign=campaign, client_ip="6.6.6.6") == 4
    abandon(client, "6.6.6.6")
    abandon(client, "6.6.6.6", "checkout.session.async_payment_failed")
    assert velocity.challenge_difficulty(campaign=campaign, client_ip="6.6.6.6") == 40
    assert velocity.challenge_difficulty(campaign=campaign, client_ip="198.51.100.7") == 4


def test_it_counts_a_session_once_however_often_stripe_says_so(client, campaign, sessions):
    session = abandon(client, "6.6.6.6")
    for _ in range(3):
        events.post_event(client, events.event("checkout.session.expired", session))
    assert velocity.challenge_difficulty(campaign=campaign, client_ip="6.6.6.6") == 4


def test_it_raises_the_bar_for_everyone_on_a_campaign_then_pauses_it(client, campaign, sessions, alice):
    for n in range(4):
        abandon(client, f"203.0.113.{n}")
    assert velocity.challenge_difficulty(campaign=campaign, client_ip="198.51.100.7") == 40
    assert mail.outbox == []
    for n in range(4, 6):
        abandon(client, f"203.0.113.{n}")
    opened = len(sessions)
    response = donate_post(client, "/c/lights/", FORM, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 503 and "paused for a while" in response.content.decode()
    assert len(sessions) == opened
    [alert] = mail.outbox
    assert alert.to == [alice.email] and "Donations paused" in alert.subject
    velocity.session_failure_count(donation=Donation.objects.first())  # more failures: no second e-mail
    assert len(mail.outbox) == 1


def test_it_keeps_giving_open_with_the_cache_down(client, campaign, sessions, monkeypatch):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("cache down")

            return fail

    monkeypatch.setattr(velocity, "cache", Down())
    assert velocity.challenge_difficulty(campaign=campaign, client_ip="6.6.6.6") == 4
    assert not velocity.campaign_paused(campaign=campaign)
    abandon(client, "6.6.6.6")  # counting is skipped, the event still applies
    assert Donation.objects.get().status == "expired"
