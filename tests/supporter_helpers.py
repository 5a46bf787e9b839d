"""A monthly (or yearly) gift as the webhook leaves it (first invoice paid, Stripe's description of the
subscription)."""

import time

from fundraising.ledger.models import Donation
from tests.stripe_standin import events


def monthly_gift(client, campaign, *, email="monthly@example.com", amount=1500, interval="month"):
    kind = "yearly" if interval == "year" else "monthly"
    pending = Donation.objects.create(campaign=campaign, amount=amount, currency=campaign.currency, kind=kind)
    sub = events.sid("sub")
    session = events.checkout_session(amount=amount, donation=pending.id, mode="subscription", subscription=sub,
                                      email=email, campaign=campaign.slug)  # fmt: skip
    invoice = events.invoice(amount=amount, donation=pending.id, subscription=sub, billing_reason="subscription_create",
                             paid_at=int(time.time()), email=email, campaign=campaign.slug,
                             interval=interval)  # fmt: skip
    created = events.subscription_live(subscription_id=sub, amount=amount, donation=pending.id, campaign=campaign.slug,
                                       interval=interval)  # fmt: skip
    for evt in (
        events.event("checkout.session.completed", session),
        events.event("invoice.paid", invoice),
        events.event("customer.subscription.created", created, created=int(time.time()) - 5),
    ):
        events.post_event(client, evt)
    return sub
