"""Yearly gifts through the webhooks: each paid invoice a yearly ledger row in the month it is paid (the first, a
renewal a year later, a yearly Payment Link's), refunded and ended as monthly gifts are."""

import calendar
import time

import pytest
import time_machine

from fundraising.campaigns.models import Period
from fundraising.ledger.breakdown import period_run_rate
from fundraising.ledger.models import Donation
from fundraising.payments import readers
from tests.stripe_standin import events


@pytest.fixture
def yearly_on(campaign):
    campaign.yearly_gifts = True
    campaign.save(update_fields=["yearly_gifts"])
    return campaign


def first_year(pending, sub, *, paid_at):
    session = events.checkout_session(amount=12000, donation=pending.id, mode="subscription", subscription=sub,
                                      email="yearly@example.com")  # fmt: skip
    invoice = events.invoice(amount=12000, donation=pending.id, subscription=sub, billing_reason="subscription_create",
                             paid_at=paid_at, email="yearly@example.com", interval="year")  # fmt: skip
    return [events.event("checkout.session.completed", session), events.event("invoice.paid", invoice)]


def run_rate_at_end(period_id):
    period = Period.objects.select_related("campaign").get(pk=period_id)
    with time_machine.travel(period.end.isoformat() + "T23:00Z", tick=False):
        return period_run_rate(period)


def test_each_yearly_invoice_counts_once_in_the_month_it_is_paid(client, yearly_on):
    """The first payment claims the pending gift in either order, delivered twice; the renewal a year later is a
    new yearly row in that later month; the run-rate counts each as a twelfth."""
    pending = Donation.objects.create(campaign=yearly_on, amount=12000, currency="usd", kind="yearly")
    sub = events.sid("sub")
    paid = calendar.timegm((2026, 3, 15, 12, 0, 0))
    steps = first_year(pending, sub, paid_at=paid)
    for evt in [steps[1], steps[0], steps[1]]:
        events.post_event(client, evt)
    first = Donation.objects.get()
    assert (first.pk, first.kind, first.status) == (pending.pk, "yearly", "succeeded")
    assert first.stripe_subscription_id == sub
    assert (first.period.start.isoformat(), first.period.raised, first.period.yearly_raised) == (
        "2026-03-01", 12000, 12000,
    )  # fmt: skip
    assert (first.period.monthly_raised, first.period.one_time_raised, first.period.monthly_supporters) == (0, 0, 0)
    assert run_rate_at_end(first.period_id) == 1000
    renewal = events.invoice(amount=15000, subscription=sub, paid_at=paid + 365 * 86400, interval="year")
    events.post_event(client, events.event("invoice.paid", renewal))
    events.post_event(client, events.event("invoice.paid", renewal))
    later = Donation.objects.get(stripe_invoice_id=renewal["id"])
    assert (later.kind, later.donor_email, later.period.start.isoformat()) == ("yearly", "yearly@example.com",
                                                                               "2027-03-01")  # fmt: skip
    assert later.period.raised == 15000
    assert run_rate_at_end(later.period_id) == 15000 // 12


def test_a_renewal_without_line_items_keeps_the_subscriptions_kind(client, yearly_on):
    pending = Donation.objects.create(campaign=yearly_on, amount=12000, currency="usd", kind="yearly")
    sub = events.sid("sub")
    for evt in first_year(pending, sub, paid_at=int(time.time())):
        events.post_event(client, evt)
    renewal = events.invoice(amount=12000, subscription=sub)  # no `lines` embedded
    events.post_event(client, events.event("invoice.paid", renewal))
    assert Donation.objects.get(stripe_invoice_id=renewal["id"]).kind == "yearly"


@pytest.mark.parametrize(("interval", "kind"), [("year", "yearly"), ("month", "monthly"), (None, "monthly")])
def test_a_payment_links_invoice_reads_its_interval_from_its_line(client, yearly_on, interval, kind):
    """A subscription the app did not start (a Payment Link naming the campaign): its line's billed period says
    yearly; no line, or a month's, is monthly as before."""
    sub = events.sid("sub")
    invoice = events.invoice(amount=6000, subscription=sub, billing_reason="subscription_create", interval=interval)
    events.post_event(client, events.event("invoice.paid", invoice))
    assert Donation.objects.get().kind == kind


def test_invoice_yearly_reads_older_api_versions_too():
    assert readers.invoice_yearly({"lines": {"data": [{"price": {"recurring": {"interval": "year"}}}]}})
    assert readers.invoice_yearly({"lines": {"data": [{"plan": {"interval": "year"}}]}})
    assert not readers.invoice_yearly({"lines": {"data": [{"plan": {"interval": "month"},
                                                           "period": {"start": 0, "end": 400 * 86400}}]}})  # fmt: skip
    assert not readers.invoice_yearly({"lines": None})


def test_a_refunded_then_ended_yearly_gift(client, yearly_on):
    pending = Donation.objects.create(campaign=yearly_on, amount=12000, currency="usd", kind="yearly")
    sub = events.sid("sub")
    invoice = events.invoice(amount=12000, donation=pending.id, subscription=sub, billing_reason="subscription_create",
                             paid_at=int(time.time()), interval="year")  # fmt: skip
    pi = events.sid("pi")
    link = {"id": events.sid("inpay"), "object": "invoice_payment", "invoice": invoice["id"],
            "payment": {"type": "payment_intent", "payment_intent": pi}}  # fmt: skip
    events.post_event(client, events.event("invoice.paid", invoice))
    events.post_event(client, events.event("invoice_payment.paid", link))
    period = Donation.objects.get().period
    with time_machine.travel(time.time() + 60, tick=False):
        assert period_run_rate(Period.objects.select_related("campaign").get(pk=period.pk)) == 1000
    events.post_event(client, events.event("charge.refunded", events.charge(amount=12000, payment_intent=pi,
                                                                            amount_refunded=12000)))  # fmt: skip
    ended = int(time.time())
    events.post_event(client, events.event("customer.subscription.deleted",
                                           events.subscription(subscription_id=sub, ended_at=ended)))  # fmt: skip
    donation = Donation.objects.get()
    assert (donation.status, donation.kind) == ("refunded", "yearly")
    assert int(donation.subscription_ended_at.timestamp()) == ended
    assert Period.objects.get(pk=period.pk).raised == 0
    assert period_run_rate(Period.objects.select_related("campaign").get(pk=period.pk)) == 0
