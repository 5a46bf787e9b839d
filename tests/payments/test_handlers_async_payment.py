"""Delayed payment methods: an unpaid completed session does not count until async success."""

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from tests.stripe_standin import events


def test_it_counts_only_after_async_success(client, campaign):
    pending = Donation.objects.create(campaign=campaign, amount=3000, currency="usd")
    pi = events.sid("pi")
    unpaid = events.checkout_session(amount=3000, donation=pending.id, payment_intent=pi, payment_status="unpaid")
    unpaid["status"] = "complete"
    events.post_event(client, events.event("checkout.session.completed", unpaid))
    pending.refresh_from_db()
    assert pending.status == "pending" and pending.paid_at is None
    paid = dict(unpaid, payment_status="paid")
    events.post_event(client, events.event("checkout.session.async_payment_succeeded", paid))
    pending.refresh_from_db()
    assert pending.status == "succeeded"
    assert Period.objects.get().raised == 3000


def test_it_marks_failed_and_expired_without_counting(client, campaign):
    failed = Donation.objects.create(campaign=campaign, amount=3000, currency="usd")
    expired = Donation.objects.create(campaign=campaign, amount=1000, currency="usd")
    session = events.checkout_session(amount=3000, donation=failed.id, payment_status="unpaid")
    events.post_event(client, events.event("checkout.session.async_payment_failed", session))
    session = events.checkout_session(amount=1000, donation=expired.id, payment_status="unpaid")
    events.post_event(client, events.event("checkout.session.expired", session))
    assert Donation.objects.get(pk=failed.pk).status == "failed"
    assert Donation.objects.get(pk=expired.pk).status == "expired"
    assert sum(p.raised for p in Period.objects.all()) == 0


def test_it_counts_an_expired_marker_that_arrives_after_payment_as_paid(client, campaign):
    pending = Donation.objects.create(campaign=campaign, amount=3000, currency="usd")
    session = events.checkout_session(amount=3000, donation=pending.id)
    events.post_event(client, events.event("checkout.session.completed", session))
    events.post_event(client, events.event("checkout.session.expired", dict(session, payment_status="unpaid")))
    assert Donation.objects.get().status == "succeeded"
