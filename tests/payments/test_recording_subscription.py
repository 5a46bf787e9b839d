"""Monthly gifts: every paid invoice counts once, the first too; the Checkout completion never adds one."""

import itertools
import time

import pytest

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.payments.models import PaymentState
from tests.stripe_standin import events


def first_month(pending, sub, *, legacy=False):
    session = events.checkout_session(
        amount=1500, donation=pending.id, mode="subscription", subscription=sub, email="monthly@example.com"
    )
    invoice = events.invoice(
        amount=1500, donation=pending.id, subscription=sub, billing_reason="subscription_create",
        paid_at=int(time.time()), legacy=legacy,
    )  # fmt: skip
    return [events.event("checkout.session.completed", session), events.event("invoice.paid", invoice)]


@pytest.mark.parametrize("legacy", [False, True], ids=["parent.subscription_details", "subscription_details"])
def test_it_counts_the_first_payment_once_in_either_order(client, campaign, legacy):
    for order in itertools.permutations(range(2)):
        Donation.objects.all().delete()
        Period.objects.all().delete()
        PaymentState.objects.all().delete()
        pending = Donation.objects.create(campaign=campaign, amount=1500, currency="usd", kind="monthly")
        sub = events.sid("sub")
        steps = first_month(pending, sub, legacy=legacy)
        for index in [*order, *order]:
            events.post_event(client, steps[index])
        donation = Donation.objects.get()
        assert donation.pk == pending.pk
        assert (donation.status, donation.kind, donation.stripe_subscription_id) == ("succeeded", "monthly", sub)
        assert Period.objects.get().raised == 1500


def test_it_counts_each_later_month_as_a_new_gift(client, campaign):
    pending = Donation.objects.create(
        campaign=campaign, amount=1500, currency="usd", kind="monthly", public_name="Grace"
    )
    sub = events.sid("sub")
    for evt in first_month(pending, sub):
        events.post_event(client, evt)
    renewal = events.invoice(amount=1500, subscription=sub, billing_reason="subscription_cycle")
    events.post_event(client, events.event("invoice.paid", renewal))
    events.post_event(client, events.event("invoice.paid", renewal))
    assert Donation.objects.count() == 2
    later = Donation.objects.get(stripe_invoice_id=renewal["id"])
    assert (later.kind, later.public_name, later.status) == ("monthly", "Grace", "succeeded")
    assert Period.objects.get().raised == 3000
    assert Period.objects.get().donors == 1  # one supporter, two payments


def test_it_ignores_zero_invoices_and_records_the_stop(client, campaign):
    pending = Donation.objects.create(campaign=campaign, amount=1500, currency="usd", kind="monthly")
    sub = events.sid("sub")
    for evt in first_month(pending, sub):
        events.post_event(client, evt)
    trial = events.invoice(amount=0, subscription=sub)
    events.post_event(client, events.event("invoice.paid", trial))
    ended = int(time.time())
    stop = events.event("customer.subscription.deleted", events.subscription(subscription_id=sub, ended_at=ended))
    events.post_event(client, stop)
    donation = Donation.objects.get()
    assert donation.subscription_ended_at is not None and int(donation.subscription_ended_at.timestamp()) == ended
    assert Period.objects.get().raised == 1500  # a stopped donor's past months still count


def test_it_refunds_a_monthly_payment_by_its_payment_intent(client, campaign):
    sub = events.sid("sub")
    invoice = events.invoice(amount=1500, subscription=sub)
    pi = events.sid("pi")
    link = {"id": events.sid("inpay"), "object": "invoice_payment", "invoice": invoice["id"],
            "payment": {"type": "payment_intent", "payment_intent": pi}}  # fmt: skip
    refund = events.charge(amount=1500, payment_intent=pi, amount_refunded=1500)
    steps = [events.event("invoice.paid", invoice), events.event("invoice_payment.paid", link),
             events.event("charge.refunded", refund)]  # fmt: skip
    for order in itertools.permutations(range(3)):
        Donation.objects.all().delete()
        Period.objects.all().delete()
        PaymentState.objects.all().delete()
        for index in order:
            events.post_event(client, dict(steps[index], id=events.sid("evt")))
        donation = Donation.objects.get()
        assert (donation.status, donation.stripe_payment_intent_id) == ("refunded", pi), order
        assert Period.objects.get().raised == 0
