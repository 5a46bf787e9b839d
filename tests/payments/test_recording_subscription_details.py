"""Monthly gifts in detail: what the first Checkout links, what a renewal carries over from the first
gift, when a stop is dated, and how an invoice's payment finds its refunds and disputes."""

import datetime
import logging

import pytest

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.payments.models import StripeEvent
from tests.stripe_standin import events

MARCH = int(datetime.datetime(2026, 3, 10, tzinfo=datetime.UTC).timestamp())
APRIL = int(datetime.datetime(2026, 4, 10, tzinfo=datetime.UTC).timestamp())


def post(client, type_, obj, **kw):
    assert events.post_event(client, events.event(type_, obj, **kw)).status_code == 200


def pending_monthly(campaign, **fields):
    return Donation.objects.create(campaign=campaign, amount=1500, currency="usd", kind="monthly", **fields)


def monthly_session(pending, sub, **kw):
    return events.checkout_session(amount=1500, donation=pending.id, mode="subscription", subscription=sub, **kw)


def first_invoice(pending, sub, **kw):
    kw.setdefault("paid_at", MARCH)
    return events.invoice(
        amount=1500, donation=pending.id, subscription=sub, billing_reason="subscription_create", **kw
    )


def march():
    """The period the test's payments fall in (the refresh also opens the current month)."""
    return Period.objects.get(start="2026-03-01")


def all_processed():
    return not StripeEvent.objects.filter(processed_at__isnull=True).exists()


def test_it_links_the_subscription_session_and_email_of_a_monthly_checkout(client, campaign):
    pending = pending_monthly(campaign)  # created without a session id (e.g. Stripe answered late)
    sub = events.sid("sub")
    session = monthly_session(pending, sub, email="ada@example.com")
    post(client, "checkout.session.completed", session)
    pending.refresh_from_db()
    assert (pending.stripe_subscription_id, pending.stripe_checkout_session_id) == (sub, session["id"])
    assert (pending.donor_email, pending.status, pending.paid_at) == ("ada@example.com", "pending", None)

    post(client, "customer.subscription.deleted", events.subscription(subscription_id=sub, ended_at=APRIL))
    pending.refresh_from_db()
    assert int(pending.subscription_ended_at.timestamp()) == APRIL


def test_it_finds_a_monthly_checkout_by_its_session_without_metadata(client, campaign):
    session_id = events.sid("cs_test")
    pending = pending_monthly(campaign, stripe_checkout_session_id=session_id)
    sub = events.sid("sub")
    session = events.checkout_session(amount=1500, campaign=None, mode="subscription", subscription=sub,
                                      session_id=session_id)  # fmt: skip
    post(client, "checkout.session.completed", session)
    pending.refresh_from_db()
    assert pending.stripe_subscription_id == sub


def test_it_carries_the_first_gifts_choices_to_each_renewal(client, campaign):
    pending = pending_monthly(campaign, public_name="Ada", anonymous=True, donor_email="ada@example.com")
    sub = events.sid("sub")
    post(client, "checkout.session.completed", monthly_session(pending, sub))
    post(client, "invoice.paid", first_invoice(pending, sub, email=None))
    post(client, "customer.subscription.deleted", events.subscription(subscription_id=sub, ended_at=APRIL + 60))
    post(client, "invoice.paid", events.invoice(amount=1700, subscription=sub, paid_at=APRIL, email=None))

    renewal = Donation.objects.exclude(pk=pending.pk).get()
    assert (renewal.amount, renewal.kind, renewal.status) == (1700, "monthly", "succeeded")
    assert (renewal.public_name, renewal.anonymous, renewal.donor_email) == ("Ada", True, "ada@example.com")
    assert int(renewal.subscription_ended_at.timestamp()) == APRIL + 60
    totals = {str(p.start): (p.raised, p.donors) for p in Period.objects.all()}
    assert (totals["2026-03-01"], totals["2026-04-01"]) == ((1500, 1), (1700, 1))


def test_it_takes_the_email_from_the_invoice_and_counts_one_donor(client, campaign):
    pending = pending_monthly(campaign)
    sub = events.sid("sub")
    post(client, "invoice.paid", first_invoice(pending, sub, email="bea@example.com"))
    post(client, "invoice.paid", events.invoice(amount=1500, subscription=sub, paid_at=MARCH + 86400))
    assert set(Donation.objects.values_list("donor_email", flat=True)) == {"bea@example.com"}
    assert (march().raised, march().donors) == (3000, 1)


def test_it_counts_two_donors_without_emails_as_two(client, campaign):
    for _ in range(2):
        post(client, "invoice.paid", events.invoice(amount=1500, subscription=events.sid("sub"), paid_at=MARCH,
                                                    email=None))  # fmt: skip
    assert set(Donation.objects.values_list("donor_email", "public_name", "anonymous")) == {("", "", False)}
    assert (march().raised, march().donors) == (3000, 2)


def test_it_copies_nothing_from_unrelated_gifts_for_an_invoice_without_subscription(client, campaign):
    Donation.objects.create(campaign=campaign, amount=500, currency="usd", public_name="Ada", anonymous=True)
    invoice = events.invoice(amount=1500, subscription=None, paid_at=MARCH, email=None)
    post(client, "invoice.paid", invoice)
    paid = Donation.objects.get(stripe_invoice_id=invoice["id"])
    assert (paid.public_name, paid.anonymous, paid.donor_email) == ("", False, "")


def test_it_ignores_a_renewal_for_a_campaign_it_does_not_know(client, campaign):
    post(client, "invoice.paid", events.invoice(amount=1500, campaign="gone", subscription=events.sid("sub")))
    assert all_processed()
    assert not Donation.objects.exists()


def test_it_counts_an_invoice_of_one_minor_unit(client, campaign):
    post(client, "invoice.paid", events.invoice(amount=1, subscription=events.sid("sub"), paid_at=MARCH))
    assert march().raised == 1


def test_it_claims_only_the_donation_the_first_invoice_names(client, campaign):
    earlier = pending_monthly(campaign)
    named = pending_monthly(campaign)
    sub = events.sid("sub")
    post(client, "invoice.paid", first_invoice(named, sub))
    earlier.refresh_from_db()
    named.refresh_from_db()
    assert (earlier.status, named.status) == ("pending", "succeeded")
    assert named.stripe_subscription_id == sub  # linked even before the Checkout completion arrives

    post(client, "customer.subscription.deleted", events.subscription(subscription_id=sub, ended_at=APRIL))
    named.refresh_from_db()
    earlier.refresh_from_db()
    assert named.subscription_ended_at is not None and earlier.subscription_ended_at is None


def test_it_counts_a_second_first_invoice_for_one_donation_as_a_new_gift(client, campaign):
    pending = pending_monthly(campaign)
    sub = events.sid("sub")
    post(client, "invoice.paid", first_invoice(pending, sub))
    post(client, "invoice.paid", first_invoice(pending, sub, paid_at=MARCH + 60))
    assert Donation.objects.count() == 2
    assert march().raised == 3000


def test_it_ignores_and_logs_an_invoice_in_another_currency(client, campaign, caplog):
    pending = pending_monthly(campaign)
    sub = events.sid("sub")
    invoice = first_invoice(pending, sub, currency="eur")
    with caplog.at_level(logging.WARNING):
        post(client, "invoice.paid", invoice)
    assert invoice["id"] in caplog.text and "eur" in caplog.text  # the owner can find out why
    post(client, "invoice.paid", events.invoice(amount=1500, subscription=sub, currency="eur", paid_at=MARCH))
    assert not Donation.objects.filter(paid_at__isnull=False).exists()


def test_it_finds_a_legacy_invoices_payment_by_its_charge(client, campaign):
    pending = pending_monthly(campaign)
    sub, pi, ch = events.sid("sub"), events.sid("pi"), events.sid("ch")
    invoice = first_invoice(pending, sub, legacy=True)
    invoice.update(payment_intent=pi, charge=ch)
    post(client, "invoice.paid", invoice)
    dispute = events.dispute(amount=1500, payment_intent=None, charge_id=ch)  # an older charge: no intent
    post(client, "charge.dispute.created", dispute)
    pending.refresh_from_db()
    assert (pending.status, pending.stripe_payment_intent_id) == ("disputed", pi)
    assert march().raised == 0


def test_it_links_an_invoice_paid_by_a_charge(client, campaign):
    pending = pending_monthly(campaign)
    sub, ch = events.sid("sub"), events.sid("ch")
    invoice = first_invoice(pending, sub)
    link = {"id": events.sid("inpay"), "object": "invoice_payment", "invoice": invoice["id"],
            "payment": {"type": "charge", "charge": ch}}  # fmt: skip
    post(client, "invoice.paid", invoice)
    post(client, "invoice_payment.paid", link)
    post(client, "charge.refunded", events.charge(amount=1500, payment_intent=None, charge_id=ch, amount_refunded=500))
    pending.refresh_from_db()
    assert (pending.status, pending.amount_refunded) == ("partially_refunded", 500)
    assert march().raised == 1000


def test_it_ignores_an_invoice_payment_without_a_payment(client, campaign):
    link = {"id": events.sid("inpay"), "object": "invoice_payment", "invoice": events.sid("in"), "payment": {}}
    post(client, "invoice_payment.paid", link)
    assert all_processed()


@pytest.mark.parametrize(
    ("ended", "canceled", "expected"),
    [(APRIL, APRIL - 600, APRIL), (None, APRIL - 600, APRIL - 600), (None, None, MARCH)],
)
def test_it_dates_a_stop_by_ended_then_canceled_then_the_event(client, campaign, ended, canceled, expected):
    pending = pending_monthly(campaign)
    sub = events.sid("sub")
    post(client, "invoice.paid", first_invoice(pending, sub))
    stop = events.subscription(subscription_id=sub, ended_at=ended)
    stop["canceled_at"] = canceled
    post(client, "customer.subscription.deleted", stop, created=MARCH)
    pending.refresh_from_db()
    assert int(pending.subscription_ended_at.timestamp()) == expected


def test_it_stops_only_that_subscription_and_keeps_the_first_date(client, campaign):
    mine, other = pending_monthly(campaign), pending_monthly(campaign)
    sub, other_sub = events.sid("sub"), events.sid("sub")
    post(client, "invoice.paid", first_invoice(mine, sub))
    post(client, "invoice.paid", first_invoice(other, other_sub))
    unrelated = Donation.objects.create(campaign=campaign, amount=500, currency="usd")  # no subscription at all
    post(client, "customer.subscription.deleted", events.subscription(subscription_id=sub, ended_at=APRIL))
    post(client, "customer.subscription.deleted", events.subscription(subscription_id=sub, ended_at=APRIL + 99))
    ended = {d.pk: d.subscription_ended_at for d in Donation.objects.all()}
    assert int(ended[mine.pk].timestamp()) == APRIL
    assert ended[other.pk] is None and ended[unrelated.pk] is None


def test_it_stops_a_pending_gift_named_in_the_subscriptions_metadata(client, campaign):
    pending = pending_monthly(campaign)
    other = pending_monthly(campaign)
    stop = events.subscription(subscription_id=events.sid("sub"), ended_at=APRIL)
    stop["metadata"] = {"fundraising_campaign": "lights", "fundraising_donation": str(pending.id)}
    post(client, "customer.subscription.deleted", stop)
    assert Donation.objects.get(pk=pending.pk).subscription_ended_at is not None
    assert Donation.objects.get(pk=other.pk).subscription_ended_at is None


def test_it_stops_every_gift_of_a_subscription_that_names_its_first_gift(client, campaign):
    pending = pending_monthly(campaign)
    sub = events.sid("sub")
    post(client, "invoice.paid", first_invoice(pending, sub))
    post(client, "invoice.paid", events.invoice(amount=1500, subscription=sub, paid_at=APRIL))
    stop = events.subscription(subscription_id=sub, ended_at=APRIL + 60)
    stop["metadata"] = {"fundraising_campaign": "lights", "fundraising_donation": str(pending.id)}
    post(client, "customer.subscription.deleted", stop)
    assert Donation.objects.count() == 2
    assert not Donation.objects.filter(subscription_ended_at__isnull=True).exists()


def test_a_late_created_event_leaves_the_newer_change(client, campaign):
    """customer.subscription.created delivered after an update: the older description is ignored, without error."""
    from fundraising.payments.models import SubscriptionState

    sub = events.sid("sub")
    post(client, "customer.subscription.updated", events.subscription_live(subscription_id=sub, amount=2500),
         created=APRIL)  # fmt: skip
    post(client, "customer.subscription.created", events.subscription_live(subscription_id=sub, amount=1500),
         created=MARCH)  # fmt: skip
    assert SubscriptionState.objects.get(subscription_id=sub).amount == 2500
    assert all_processed()
