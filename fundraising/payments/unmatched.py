"""Payments that name a campaign but cannot count: recorded with the reason, so nobody's money disappears
silently. Owners see their campaigns' ones in the admin; reconcile_stripe lists them all."""

import datetime
import logging

from django.utils import timezone

from .models import UnmatchedPayment

log = logging.getLogger(__name__)

# A subscription's Checkout Session follows its first invoice within seconds (Stripe retries for 3 days);
# invoices of subscriptions still unlinked after this belong to something else in the account.
WAITING_DAYS = 7


def unmatched_record(*, stripe_id, reason, campaign=None, slug="", amount=0, currency="", subscription_id="",
                     paid_at=None, payload=None):  # fmt: skip
    """Store (or refresh) why the payment `stripe_id` does not count. Returns None: nothing counted."""
    if not stripe_id:
        return None
    log.warning("payment %s does not count: %s (%s %s for %r)", stripe_id, reason, amount, currency, slug)
    UnmatchedPayment.objects.update_or_create(
        stripe_id=stripe_id,
        defaults={
            "reason": reason,
            "campaign": campaign,
            "campaign_slug": slug[:255],
            "amount": amount,
            "currency": currency[:3],
            "subscription_id": subscription_id,
            "paid_at": paid_at,
            "payload": payload or {},
        },
    )
    return None


def unmatched_clear(*stripe_ids):
    """The payment counts now (a later event matched it): it is no longer unmatched."""
    ids = [stripe_id for stripe_id in stripe_ids if stripe_id]
    if ids:
        UnmatchedPayment.objects.filter(stripe_id__in=ids).delete()


def unmatched_waiting(*, subscription_id):
    """Invoices of a subscription that waited for a Checkout Session to link it to a campaign."""
    if not subscription_id:
        return []
    return list(
        UnmatchedPayment.objects.filter(
            subscription_id=subscription_id, reason=UnmatchedPayment.Reason.SUBSCRIPTION_UNLINKED
        ).order_by("paid_at", "pk")
    )


def unmatched_waiting_prune(*, now=None):
    """Forget invoices of subscriptions no session linked within WAITING_DAYS: another product's."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=WAITING_DAYS)
    waiting = UnmatchedPayment.objects.filter(reason=UnmatchedPayment.Reason.SUBSCRIPTION_UNLINKED)
    waiting.filter(created_at__lt=cutoff).delete()


def unmatched_lines():
    """One line per payment that named a campaign and did not count, for reconcile_stripe (invoices waiting
    for their subscription's session name none, so they are not listed)."""
    rows = UnmatchedPayment.objects.exclude(reason=UnmatchedPayment.Reason.SUBSCRIPTION_UNLINKED)
    for row in rows.order_by("created_at", "pk"):
        yield (
            f"unmatched {row.stripe_id}: {row.amount} {row.currency or '?'} for "
            f"{row.campaign_slug or '?'}: {row.get_reason_display()}"
        )
