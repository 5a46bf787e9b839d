"""Every handled event delivered twice (and replayed by id) leaves the ledger as one delivery does."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments.handlers import EVENT_HANDLERS
from fundraising.payments.models import StripeEvent
from tests.stripe_standin import events, objects

HANDLED = sorted(EVENT_HANDLERS)


def scenario(kind, pending):
    pi = events.sid("pi")
    ch = events.sid("ch")
    paid = events.event(
        "checkout.session.completed", events.checkout_session(amount=2500, donation=pending.id, payment_intent=pi)
    )
    sub = events.sid("sub")
    first_invoice = events.invoice(
        amount=2500, donation=pending.id, subscription=sub, billing_reason="subscription_create"
    )
    refund = objects.refund(amount=1000, charge_id=ch, payment_intent=pi, status="pending")
    by_kind = {
        "checkout.session.completed": [paid],
        "checkout.session.async_payment_succeeded": [
            events.event(
                "checkout.session.async_payment_succeeded",
                events.checkout_session(amount=2500, donation=pending.id, payment_intent=pi),
            )
        ],
        "checkout.session.async_payment_failed": [
            events.event(
                "checkout.session.async_payment_failed",
                events.checkout_session(amount=2500, donation=pending.id, payment_status="unpaid"),
            )
        ],
        "checkout.session.expired": [
            events.event(
                "checkout.session.expired",
                events.checkout_session(amount=2500, donation=pending.id, payment_status="unpaid"),
            )
        ],
        "payment_intent.succeeded": [
            events.event(
                "payment_intent.succeeded",
                {
                    "id": pi,
                    "object": "payment_intent",
                    "amount_received": 2500,
                    "currency": "usd",
                    "metadata": {"fundraising_campaign": "lights", "fundraising_donation": str(pending.id)},
                },  # fmt: skip
            )
        ],
        "payment_intent.payment_failed": [  # a card declined inside Checkout: no money, one velocity count
            objects.at(
                objects.PINNED,
                "payment_intent.payment_failed",
                objects.payment_intent_declined(
                    amount=2500,
                    payment_intent=pi,
                    metadata={"fundraising_campaign": "lights", "fundraising_donation": str(pending.id)},
                ),
            )
        ],
        "charge.refunded": [
            paid,
            events.event("charge.refunded", events.charge(amount=2500, payment_intent=pi, amount_refunded=1000)),
        ],
        "charge.dispute.created": [
            paid,
            events.event("charge.dispute.created", events.dispute(amount=2500, payment_intent=pi, charge_id=ch)),
        ],
        "charge.dispute.closed": [
            paid,
            events.event(
                "charge.dispute.closed", events.dispute(amount=2500, payment_intent=pi, charge_id=ch, status="lost")
            ),
        ],
        "invoice.paid": [events.event("invoice.paid", first_invoice)],
        "invoice.payment_succeeded": [events.event("invoice.payment_succeeded", first_invoice)],
        "invoice_payment.paid": [
            events.event("invoice.paid", first_invoice),
            events.event("invoice_payment.paid", objects.invoice_payment(invoice_id=first_invoice["id"],
                                                                         payment_intent=pi, amount=2500)),
            events.event("charge.refunded", events.charge(amount=2500, payment_intent=pi, amount_refunded=500)),
        ],  # fmt: skip
        "charge.succeeded": [
            events.event("charge.succeeded", objects.charge(amount=2500, charge_id=ch,
                                                            metadata={"fundraising_campaign": "lights",
                                                                      "fundraising_donation": str(pending.id)}))
        ],  # fmt: skip
        "charge.dispute.updated": [
            paid,
            events.event("charge.dispute.updated", events.dispute(amount=2500, payment_intent=pi, charge_id=ch,
                                                                  status="under_review")),
        ],  # fmt: skip
        "refund.created": [paid, events.event("refund.created", refund)],
        "refund.updated": [paid, events.event("refund.updated", dict(refund, status="succeeded"))],
        "refund.failed": [paid, events.event("refund.created", refund),
                          events.event("refund.failed", dict(refund, status="failed"))],  # fmt: skip
        "charge.refund.updated": [paid, events.event("charge.refund.updated", dict(refund, status="canceled"))],
        "customer.subscription.deleted": [
            events.event("invoice.paid", first_invoice),
            events.event("customer.subscription.deleted", events.subscription(subscription_id=sub, ended_at=1)),
        ],
        "customer.subscription.created": [
            events.event("invoice.paid", first_invoice),
            events.event("customer.subscription.created",
                         events.subscription_live(subscription_id=sub, amount=2500, donation=pending.id)),
        ],  # fmt: skip
        "customer.subscription.updated": [
            events.event("invoice.paid", first_invoice),
            events.event("customer.subscription.updated", events.subscription_live(subscription_id=sub, amount=3000)),
        ],
        "invoice.payment_failed": [
            events.event("invoice.paid", first_invoice),
            events.event("invoice.payment_failed", events.invoice_failed(amount=2500, subscription=sub)),
        ],
    }
    return by_kind[kind]


@pytest.mark.parametrize("kind", HANDLED)
def test_it_counts_each_handler_once(client, campaign, kind):
    pending = Donation.objects.create(campaign=campaign, amount=2500, currency="usd")
    steps = scenario(kind, pending)
    for evt in steps:
        assert events.post_event(client, evt).status_code == 200
    once = events.ledger_picture()
    for evt in steps:
        assert events.post_event(client, evt).status_code == 200
        evt_again = dict(evt, id=events.sid("evt"))  # Stripe may also send the same object in a new event
        assert events.post_event(client, evt_again).status_code == 200
    assert events.ledger_picture() == once
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0
    assert Donation.objects.count() == 1


def test_it_has_a_scenario_for_every_handled_event(campaign):
    pending = Donation.objects.create(campaign=campaign, amount=2500, currency="usd")
    for kind in HANDLED:
        assert any(step["type"] == kind for step in scenario(kind, pending)), kind


def test_it_sets_the_expected_status_per_handler(client, campaign):
    expected = {
        "checkout.session.completed": ("succeeded", 2500),
        "checkout.session.async_payment_failed": ("failed", 0),
        "checkout.session.expired": ("expired", 0),
        "charge.refunded": ("partially_refunded", 1500),
        "charge.dispute.created": ("disputed", 0),
        "charge.dispute.closed": ("disputed", 0),
        "invoice.paid": ("succeeded", 2500),
    }
    from fundraising.ledger.services import donation_net

    for kind, (status, net) in expected.items():
        Donation.objects.all().delete()
        pending = Donation.objects.create(campaign=campaign, amount=2500, currency="usd")
        for evt in scenario(kind, pending):
            events.post_event(client, evt)
        donation = Donation.objects.get()
        assert (donation.status, donation_net(donation)) == (status, net), kind
