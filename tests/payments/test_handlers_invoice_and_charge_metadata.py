"""One-off invoices naming the campaign in their own metadata, and charges made without a PaymentIntent
(campaign in the charge's metadata), count once, refunds included, in either order and delivered twice."""

import time

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from tests.factories import DonationFactory
from tests.stripe_standin import events, objects


def outcome(results):
    assert len(set(map(repr, results.values()))) == 1, results
    return next(iter(results.values()))


def test_it_counts_a_one_off_invoice_naming_the_campaign(client, campaign):
    inv = objects.invoice(amount=4000, invoice_metadata={"fundraising_campaign": "lights"}, paid_at=int(time.time()))

    def steps():
        return [objects.at(objects.BASIL, "invoice.paid", inv),
                objects.at(objects.BASIL, "invoice.payment_succeeded", inv)]  # fmt: skip

    rows, periods = outcome(events.deliver_in_orders(client, steps))
    assert [row[:3] for row in rows] == [(4000, "one_time", "succeeded")]
    assert periods == [(4000, 1)]


def test_a_one_off_invoice_borrows_nothing_from_an_earlier_gift(client, campaign):
    """Only a subscription's own first gift lends a renewal its name and e-mail; a one-off invoice has no
    subscription, so it must not take them from another supporter's gift (which has none either)."""
    DonationFactory(campaign=campaign, public_name="Ada", anonymous=True, donor_email="ada@example.com")
    inv = objects.invoice(amount=4000, invoice_metadata={"fundraising_campaign": "lights"}, paid_at=int(time.time()))
    events.post_event(client, objects.at(objects.BASIL, "invoice.paid", inv))
    gift = Donation.objects.get(stripe_invoice_id=inv["id"])
    assert (gift.public_name, gift.anonymous, gift.donor_email) == ("", False, "monthly@example.com")
    assert (gift.kind, gift.amount, Period.objects.get().raised) == ("one_time", 4000, 1000 + 4000)


def test_it_counts_a_charge_without_payment_intent_and_its_refund(client, campaign):
    def steps():
        ch = events.sid("ch")
        paid = objects.charge(amount=2500, charge_id=ch, metadata={"fundraising_campaign": "lights"})
        refund = objects.refund(amount=1000, charge_id=ch)
        refunded = objects.charge(amount=2500, charge_id=ch, amount_refunded=1000, refunds=[refund],
                                  metadata={"fundraising_campaign": "lights"})  # fmt: skip
        return [objects.at(objects.PRE_INTENT, "charge.succeeded", paid),
                objects.at(objects.PRE_INTENT, "charge.refunded", refunded)]  # fmt: skip

    rows, periods = outcome(events.deliver_in_orders(client, steps))
    assert [row[:4] for row in rows] == [(2500, "one_time", "partially_refunded", 1000)]
    assert periods == [(1500, 1)]


def test_it_leaves_a_payment_intents_charge_to_payment_intent_succeeded(client, campaign):
    pi = events.sid("pi")
    charge = objects.charge(amount=2500, payment_intent=pi, metadata={"fundraising_campaign": "lights"})
    intent = objects.stripe_object("payment_intent", id=pi, amount_received=2500, currency="usd",
                                   metadata={"fundraising_campaign": "lights"})  # fmt: skip
    for evt in (objects.at(objects.BASIL, "charge.succeeded", charge),
                objects.at(objects.BASIL, "payment_intent.succeeded", intent)):  # fmt: skip
        events.post_event(client, evt)
    rows, periods = events.ledger_picture()
    assert periods == [(2500, 1)] and len(rows) == 1


def test_payments_made_outside_checkout_without_an_email_are_a_supporter_each(client, campaign):
    """A PaymentIntent or a charge carries no e-mail: each such gift is its own supporter, stored without one."""
    for amount in (1100, 2200):
        intent = objects.stripe_object("payment_intent", id=events.sid("pi"), amount_received=amount,
                                       currency="usd", metadata={"fundraising_campaign": "lights"})  # fmt: skip
        events.post_event(client, objects.at(objects.BASIL, "payment_intent.succeeded", intent))
    paid = objects.charge(amount=3300, metadata={"fundraising_campaign": "lights"})
    events.post_event(client, objects.at(objects.PRE_INTENT, "charge.succeeded", paid))
    assert sorted(Donation.objects.values_list("amount", "donor_email")) == [(1100, ""), (2200, ""), (3300, "")]
    period = Period.objects.get()
    assert (period.raised, period.donors) == (6600, 3)


def test_a_one_cent_capture_counts(client, campaign):
    """A manually captured intent may capture less than it authorised, down to one cent: it is money in."""
    intent = objects.stripe_object("payment_intent", id=events.sid("pi"), amount=5000, amount_received=1,
                                   capture_method="manual", currency="usd",
                                   metadata={"fundraising_campaign": "lights"})  # fmt: skip
    events.post_event(client, objects.at(objects.BASIL, "payment_intent.succeeded", intent))
    assert (Donation.objects.get().amount, Period.objects.get().raised) == (1, 1)
