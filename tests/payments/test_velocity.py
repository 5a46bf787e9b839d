"""Velocity rules: sessions that close unpaid raise the challenge's cost for their address and campaign, then
pause the campaign's sessions for the window with one e-mail to its owners. Failures arrive as signed events."""

import pytest
from django.core import mail

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api, velocity
from tests.challenge_helpers import donate_post
from tests.stripe_standin import events, objects

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


def opened(client, address):
    """A session opened from `address` through the page; (donation, its payment intent's metadata)."""
    assert donate_post(client, "/c/lights/", FORM, REMOTE_ADDR=address).status_code == 303
    donation = Donation.objects.order_by("-created_at").first()
    return donation, {"fundraising_campaign": "lights", "fundraising_donation": str(donation.id)}


def decline(client, metadata, *, payment_intent, charge_id=None):
    intent = objects.payment_intent_declined(amount=500, metadata=metadata, payment_intent=payment_intent,
                                             charge_id=charge_id)  # fmt: skip
    evt = objects.at(objects.PINNED, "payment_intent.payment_failed", intent)
    assert events.post_event(client, evt).status_code == 200
    return evt


def test_a_card_declined_inside_checkout_counts_at_once(client, campaign, sessions):
    """The session stays open after a decline; the address's bar rises within the window, not at expiry."""
    _donation, metadata = opened(client, "6.6.6.6")
    decline(client, metadata, payment_intent="pi_test_declined")
    assert velocity.challenge_difficulty(campaign=campaign, client_ip="6.6.6.6") == 4
    decline(client, metadata, payment_intent="pi_test_declined")  # another card, another attempt
    assert velocity.challenge_difficulty(campaign=campaign, client_ip="6.6.6.6") == 40
    assert velocity.challenge_difficulty(campaign=campaign, client_ip="198.51.100.7") == 4


def test_an_attempt_counts_once_however_often_stripe_says_so(client, campaign, sessions):
    _donation, metadata = opened(client, "6.6.6.6")
    evt = decline(client, metadata, payment_intent="pi_test_once", charge_id="ch_test_once")
    events.post_event(client, evt)  # redelivered
    decline(client, metadata, payment_intent="pi_test_once", charge_id="ch_test_once")  # the same attempt, replayed
    assert velocity.challenge_difficulty(campaign=campaign, client_ip="6.6.6.6") == 4  # one count of two
    from fundraising.journal.dispatch import entries_dispatch
    from fundraising.journal.models import Entry

    entry = Entry.objects.get(kind="payment.declined")
    entries_dispatch(entries=[entry])  # the journal's sweep running the consumer again
    assert velocity.challenge_difficulty(campaign=campaign, client_ip="6.6.6.6") == 4


def test_declines_pause_a_campaign_and_the_sessions_expiry_adds_nothing(client, campaign, sessions, alice):
    donations = []
    for n in range(3):
        donation, metadata = opened(client, f"203.0.113.{n}")
        donations.append(donation)
        decline(client, metadata, payment_intent=f"pi_test_pause{n}")
        decline(client, metadata, payment_intent=f"pi_test_pause{n}")
    assert velocity.campaign_paused(campaign=campaign)  # 6 declines in the window
    assert len([m for m in mail.outbox if "paused" in m.subject]) == 1
    for donation in donations:  # the testers leave; Stripe expires their sessions a day later
        session = events.checkout_session(amount=500, donation=donation.id, payment_status="unpaid",
                                          session_id=donation.stripe_checkout_session_id)  # fmt: skip
        events.post_event(client, events.event("checkout.session.expired", session))
    from django.core.cache import cache

    assert cache.get(f"velocity-campaign:{campaign.pk}") == 6  # the expiries of declined sessions add nothing


def test_a_decline_naming_no_session_of_ours_counts_nothing(client, campaign, sessions):
    decline(client, {}, payment_intent="pi_test_elsewhere")  # a Payment Link or another integration's payment
    decline(client, {"fundraising_campaign": "lights", "fundraising_donation": "0b7e-not-a-donation"},
            payment_intent="pi_test_forged")  # fmt: skip
    from fundraising.journal.models import Entry

    assert not Entry.objects.filter(kind="payment.declined").exists()


@pytest.mark.parametrize("expiry_first", [False, True])
def test_a_session_counts_the_same_in_any_delivery_order(client, campaign, sessions, expiry_first):
    """Two declines and the session's expiry: two failures, whichever Stripe delivers first."""
    from django.core.cache import cache

    donation, metadata = opened(client, "6.6.6.6")
    session = events.checkout_session(amount=500, donation=donation.id, payment_status="unpaid",
                                      session_id=donation.stripe_checkout_session_id)  # fmt: skip
    expiry = events.event("checkout.session.expired", session)
    if expiry_first:
        events.post_event(client, expiry)
    decline(client, metadata, payment_intent="pi_test_order")
    decline(client, metadata, payment_intent="pi_test_order")
    if not expiry_first:
        events.post_event(client, expiry)
    assert cache.get(f"velocity-campaign:{campaign.pk}") == 2
    assert Donation.objects.get().status == "expired"


def test_a_pause_alert_that_could_not_be_sent_is_tried_again_by_the_next_failure(client, campaign, sessions, alice):
    from unittest import mock

    with mock.patch("fundraising.payments.velocity.send_mail", side_effect=ConnectionRefusedError("down")) as down:
        for n in range(6):
            _donation, metadata = opened(client, f"203.0.113.{n}")
            decline(client, metadata, payment_intent=f"pi_test_alert{n}")
    assert velocity.campaign_paused(campaign=campaign) and down.call_count == 1
    velocity.campaign_pause_alert(campaign=campaign)  # the next failure counted in the window
    assert [m.to for m in mail.outbox if "paused" in m.subject] == [["alice@example.org"]]
