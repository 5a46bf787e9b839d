"""A monthly Payment Link counts: its metadata reaches the Checkout Session only, never the subscription,
so the session links the subscription to the campaign and every invoice of it counts (first and renewals),
whichever arrives first, delivered twice."""

import datetime
import time

import time_machine

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.payments.models import SubscriptionLink, UnmatchedPayment
from tests.factories import DonationFactory
from tests.stripe_standin import events, objects

MONTH = 31 * 24 * 3600


def scenario(*, legacy=False):
    sub = events.sid("sub")
    now = int(time.time())
    version = objects.LEGACY_INVOICE if legacy else objects.BASIL
    first = objects.invoice(amount=1500, subscription=sub, billing_reason="subscription_create", paid_at=now - MONTH,
                            legacy=legacy)  # fmt: skip
    renewal = objects.invoice(amount=1500, subscription=sub, paid_at=now, legacy=legacy)
    return [
        objects.at(version, "checkout.session.completed", objects.session(amount=1500, mode="subscription",
                                                                           subscription=sub)),  # fmt: skip
        objects.at(version, "invoice.paid", first),
        objects.at(version, "invoice.paid", renewal),
    ]


def test_it_counts_every_invoice_of_a_monthly_payment_link_in_every_order(client, campaign):
    for legacy in (False, True):
        results = events.deliver_in_orders(client, lambda legacy=legacy: scenario(legacy=legacy),
                                           orders=events.all_orders(3))  # fmt: skip
        pictures = set(map(repr, results.values()))
        assert len(pictures) == 1, pictures
        rows, periods = next(iter(results.values()))
        assert [row[:3] for row in rows] == [(1500, "monthly", "succeeded")] * 2
        assert periods == [(1500, 1), (1500, 1)]  # last month's first payment and this month's renewal
        assert SubscriptionLink.objects.get().campaign == campaign
        assert not UnmatchedPayment.objects.exists()


def test_a_session_naming_no_donation_touches_no_other_gift(client, campaign):
    """A Payment Link's session names no ledger row: it must not claim one, however old, nor give it the
    subscription, the session or the e-mail."""
    earlier = DonationFactory(campaign=campaign, amount=700, donor_email="ada@example.com")
    before = Donation.objects.filter(pk=earlier.pk).values().get()
    for step in scenario():
        events.post_event(client, step)
    assert Donation.objects.filter(pk=earlier.pk).values().get() == before
    assert sorted(Donation.objects.values_list("amount", flat=True)) == [700, 1500, 1500]


def test_it_keeps_an_unlinked_subscription_invoice_visible_until_its_session_comes(client, campaign):
    steps = scenario()
    events.post_event(client, steps[2])
    waiting = UnmatchedPayment.objects.get()
    assert (waiting.reason, waiting.amount) == ("subscription_unlinked", 1500)
    assert not Donation.objects.exists()
    events.post_event(client, steps[0])
    assert not UnmatchedPayment.objects.exists()
    assert Period.objects.get().raised == 1500


def test_a_waiting_invoice_counts_in_the_month_it_was_paid_not_when_its_session_came(client, campaign):
    """An invoice without its own payment time (the event's time stands in) waits for its session across a
    month end: it counts when it was paid, in March, not when the session came in April."""
    paid = datetime.datetime(2026, 3, 31, 20, 0, tzinfo=datetime.UTC)
    sub = events.sid("sub")
    invoice = objects.invoice(amount=1500, subscription=sub, billing_reason="subscription_create")
    assert invoice["status_transitions"]["paid_at"] is None
    with time_machine.travel(paid + datetime.timedelta(seconds=5), tick=False):
        events.post_event(client, objects.at(objects.BASIL, "invoice.paid", invoice, created=int(paid.timestamp())))
    assert UnmatchedPayment.objects.get().paid_at == paid
    with time_machine.travel(datetime.datetime(2026, 4, 2, 12, 0, tzinfo=datetime.UTC), tick=False):
        session = objects.session(amount=1500, mode="subscription", subscription=sub)
        events.post_event(client, objects.at(objects.BASIL, "checkout.session.completed", session))
    gift = Donation.objects.get()
    assert (gift.paid_at, gift.period.start.month, gift.period.raised) == (paid, 3, 1500)
    assert not UnmatchedPayment.objects.exists()


def test_it_links_the_apps_own_monthly_checkout_too(client, campaign):
    pending = Donation.objects.create(campaign=campaign, amount=2500, currency="usd", kind="monthly")
    sub = events.sid("sub")
    session = events.checkout_session(amount=2500, donation=pending.id, mode="subscription", subscription=sub)
    events.post_event(client, events.event("checkout.session.completed", session))
    renewal = objects.invoice(amount=2500, subscription=sub, paid_at=int(time.time()))  # empty metadata
    events.post_event(client, objects.at(objects.BASIL, "invoice.paid", renewal))
    assert Donation.objects.filter(paid_at__isnull=False).count() == 1
    assert Period.objects.get().raised == 2500
    link = SubscriptionLink.objects.get()  # the admin lists it with the session it came from
    assert (link.subscription_id, link.campaign, link.checkout_session_id) == (sub, campaign, session["id"])
