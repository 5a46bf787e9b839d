"""A payment counts in the month it was first paid: a later copy of the news (a payment_intent event
after the session's, or a redelivery just after midnight on the 1st) never moves it to the next month."""

import datetime

import pytest

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from tests.stripe_standin import events, objects

BEFORE_MIDNIGHT = int(datetime.datetime(2026, 3, 31, 23, 59, 58, tzinfo=datetime.UTC).timestamp())
AFTER_MIDNIGHT = BEFORE_MIDNIGHT + 5  # 2026-04-01 00:00:03 UTC


def intent(pi, amount):
    return {"id": pi, "object": "payment_intent", "amount": amount, "amount_received": amount, "currency": "usd",
            "metadata": {"fundraising_campaign": "lights"}, "status": "succeeded"}  # fmt: skip


@pytest.mark.parametrize("first", ["session", "intent"])
def test_it_keeps_the_gift_in_the_month_it_was_paid(client, campaign, first):
    pi = events.sid("pi")
    session = events.event(
        "checkout.session.completed", events.checkout_session(amount=3000, payment_intent=pi), created=BEFORE_MIDNIGHT
    )
    late = events.event("payment_intent.succeeded", intent(pi, 3000), created=AFTER_MIDNIGHT)
    for evt in [session, late] if first == "session" else [late, session]:
        assert events.post_event(client, evt).status_code == 200

    donation = Donation.objects.get()
    assert int(donation.paid_at.timestamp()) == BEFORE_MIDNIGHT
    raised = {str(p.start): p.raised for p in Period.objects.all()}
    assert raised.get("2026-03-01") == 3000
    assert raised.get("2026-04-01", 0) == 0


def test_it_moves_an_invoice_back_to_its_first_month_and_empties_the_later_one(client, campaign):
    """Without status_transitions.paid_at the event time counts; the earlier copy wins and the month
    the later copy had put it in is recomputed to nothing."""
    invoice = events.invoice(amount=1500, subscription=events.sid("sub"), paid_at=None)
    for created in (AFTER_MIDNIGHT, BEFORE_MIDNIGHT):
        assert events.post_event(client, events.event("invoice.paid", invoice, created=created)).status_code == 200
    raised = {str(p.start): p.raised for p in Period.objects.all()}
    assert (raised["2026-03-01"], raised["2026-04-01"]) == (1500, 0)


def test_it_counts_a_delayed_payment_in_the_month_its_success_was_sent(client, campaign):
    """A bank debit confirmed just before midnight and delivered after it still counts in March."""
    pending = Donation.objects.create(campaign=campaign, amount=3000, currency="usd")
    paid = events.checkout_session(amount=3000, donation=pending.id, payment_intent=events.sid("pi"))
    late = events.event("checkout.session.async_payment_succeeded", paid, created=BEFORE_MIDNIGHT)
    assert events.post_event(client, late).status_code == 200
    raised = {str(p.start): p.raised for p in Period.objects.all()}
    assert raised.pop("2026-03-01") == 3000 and sum(raised.values()) == 0  # no other month has it


def test_it_counts_a_charge_in_the_month_it_was_created(client, campaign):
    """A charge made without a PaymentIntent carries its own time; the event announcing it may come later."""
    charge = objects.charge(amount=2500, metadata={"fundraising_campaign": "lights"})
    charge["created"] = BEFORE_MIDNIGHT
    evt = objects.at(objects.PRE_INTENT, "charge.succeeded", charge, created=AFTER_MIDNIGHT)
    assert events.post_event(client, evt).status_code == 200
    assert int(Donation.objects.get().paid_at.timestamp()) == BEFORE_MIDNIGHT
    raised = {str(p.start): p.raised for p in Period.objects.all()}
    assert raised.pop("2026-03-01") == 2500 and sum(raised.values()) == 0  # no other month has it


def test_it_counts_an_older_endpoints_invoice_event_in_the_month_it_was_sent(client, campaign):
    """invoice.payment_succeeded (what older endpoints get) without paid_at counts at the event's time."""
    invoice = events.invoice(amount=1500, subscription=events.sid("sub"), paid_at=None)
    evt = events.event("invoice.payment_succeeded", invoice, created=BEFORE_MIDNIGHT)
    assert events.post_event(client, evt).status_code == 200
    raised = {str(p.start): p.raised for p in Period.objects.all()}
    assert raised.pop("2026-03-01") == 1500 and sum(raised.values()) == 0
