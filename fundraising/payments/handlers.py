"""What each Stripe event does: one function per event type, all listed in EVENT_HANDLERS at the bottom.

A handler takes the event's object (a dict) and the event's creation time, reads it with
fundraising.payments.readers and records it with fundraising.payments.recording. Types not in the
table are stored and ignored. docs/stripe.md says which events count how."""

from django.utils import timezone

from fundraising.ledger.models import Donation

from . import facts, readers, recording, subscriptions, velocity


def checkout_session_completed(session, when):
    """A paid one-time gift counts; a monthly gift's session links its subscription (money comes with invoices)."""
    return recording.checkout_session_fulfil(session=session, paid_at=when)


def checkout_session_async_payment_succeeded(session, when):
    """A bank debit or other delayed method finally paid: counts like a completed session."""
    return recording.checkout_session_fulfil(session=session, paid_at=when)


def checkout_session_async_payment_failed(session, when):
    return recording.checkout_session_closed(session=session, status=Donation.Status.FAILED)


def checkout_session_expired(session, when):
    return recording.checkout_session_closed(session=session, status=Donation.Status.EXPIRED)


def payment_intent_succeeded(intent, when):
    """Payments made outside Checkout count from here; the app's own sessions name their donation too."""
    amount, currency = readers.intent_amount(intent)
    return recording.payment_record(
        metadata=readers.metadata_of(intent),
        amount=amount,
        currency=currency,
        paid_at=when,
        payment_intent=readers.object_id(intent.get("id")),
        payload=intent,
    )


def payment_intent_payment_failed(intent, when):
    """No money: a card declined inside one of our Checkout Sessions (the session stays open for another card)
    counts for the velocity rules at once, once per attempt, instead of when the session expires."""
    return velocity.decline_record(intent=intent, when=when)


def invoice_paid(invoice, when):
    """Every paid invoice naming a campaign (monthly, or one-off in its own metadata) counts once in the
    month it was paid."""
    return recording.invoice_paid_record(invoice=invoice, paid_at=when)


def invoice_payment_succeeded(invoice, when):
    """What older endpoints listen to instead of invoice.paid; both arriving count once (one row per invoice)."""
    return recording.invoice_paid_record(invoice=invoice, paid_at=when)


def invoice_payment_paid(invoice_payment, when):
    """Links an invoice to the payment intent that paid it, so its refunds and disputes find the gift."""
    return facts.invoice_payment_link(invoice_payment=invoice_payment)


def charge_succeeded(charge, when):
    """Charges made without a PaymentIntent (the Charges API before 2017-ish, Sources) count from here; a
    charge of a PaymentIntent counts with payment_intent.succeeded instead, so it is never counted twice."""
    if readers.object_id(charge.get("payment_intent")):
        return None
    amount, currency = readers.charge_amount(charge)
    return recording.payment_record(
        metadata=readers.metadata_of(charge),
        amount=amount,
        currency=currency,
        paid_at=readers.timestamp_read(charge.get("created")) or when,
        charge_id=readers.object_id(charge.get("id")),
        payload=charge,
    )


def charge_refunded(charge, when):
    return facts.charge_refund_record(charge=charge)


def charge_refund_updated(refund, when):
    """A refund's status changed (e.g. it failed days later): the refund facts follow."""
    return facts.refund_record(refund=refund)


def refund_created(refund, when):
    return facts.refund_record(refund=refund)


def refund_updated(refund, when):
    return facts.refund_record(refund=refund)


def refund_failed(refund, when):
    return facts.refund_record(refund=refund)


def charge_dispute_created(dispute, when):
    return facts.dispute_record(dispute=dispute, closed=False)


def charge_dispute_updated(dispute, when):
    return facts.dispute_record(dispute=dispute, closed=False)


def charge_dispute_closed(dispute, when):
    return facts.dispute_record(dispute=dispute, closed=True)


def customer_subscription_deleted(subscription, when):
    subscriptions.subscription_state_record(subscription=subscription, when=when)
    return recording.subscription_end_record(subscription=subscription, ended_at=when)


def customer_subscription_created(subscription, when):
    """What a monthly gift costs and when it renews, as Stripe says (the manage page shows only this)."""
    return subscriptions.subscription_state_record(subscription=subscription, when=when)


def customer_subscription_updated(subscription, when):
    """A change of amount, a cancellation at the period's end, a failed or recovered payment: confirmed here."""
    return subscriptions.subscription_state_record(subscription=subscription, when=when)


def invoice_payment_failed(invoice, when):
    """A renewal was declined: the gift is at risk and the supporter is asked to update the card."""
    return subscriptions.renewal_failure_record(invoice=invoice, when=when)


EVENT_HANDLERS = {
    "checkout.session.completed": checkout_session_completed,
    "checkout.session.async_payment_succeeded": checkout_session_async_payment_succeeded,
    "checkout.session.async_payment_failed": checkout_session_async_payment_failed,
    "checkout.session.expired": checkout_session_expired,
    "payment_intent.succeeded": payment_intent_succeeded,
    "payment_intent.payment_failed": payment_intent_payment_failed,
    "invoice.paid": invoice_paid,
    "invoice.payment_succeeded": invoice_payment_succeeded,
    "invoice_payment.paid": invoice_payment_paid,
    "charge.succeeded": charge_succeeded,
    "charge.refunded": charge_refunded,
    "charge.refund.updated": charge_refund_updated,
    "refund.created": refund_created,
    "refund.updated": refund_updated,
    "refund.failed": refund_failed,
    "charge.dispute.created": charge_dispute_created,
    "charge.dispute.updated": charge_dispute_updated,
    "charge.dispute.closed": charge_dispute_closed,
    "customer.subscription.deleted": customer_subscription_deleted,
    "customer.subscription.created": customer_subscription_created,
    "customer.subscription.updated": customer_subscription_updated,
    "invoice.payment_failed": invoice_payment_failed,
}

# The events the webhook endpoint in Stripe must send: exactly the handled ones (stripe_webhook_setup
# configures them, the health check compares them). docs/stripe.md lists the same.
REQUIRED_EVENTS = tuple(sorted(EVENT_HANDLERS))


def event_apply(*, event):
    """Dispatch one event dict by type; unknown types are ignored. Call inside a transaction."""
    handler = EVENT_HANDLERS.get(event.get("type"))
    if handler is None:
        return None
    obj = (event.get("data") or {}).get("object")
    if not isinstance(obj, dict):
        return None
    return handler(obj, readers.timestamp_read(event.get("created")) or timezone.now())
