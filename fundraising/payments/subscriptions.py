"""Monthly gifts' subscriptions as Stripe last described them (SubscriptionState), and failed renewals.

Kept apart from recording.py: these facts never touch the ledger's amounts; they say what a supporter
pays each month, when it renews and whether it stops. Call inside a transaction."""

from fundraising.campaigns.models import Campaign
from fundraising.journal import kinds
from fundraising.journal.services import entry_write
from fundraising.ledger.models import Donation

from . import readers
from .models import SubscriptionState


def _campaign_id(*, metadata, subscription_id):
    slug = readers.metadata_campaign(metadata)
    if slug:
        found = Campaign.objects.filter(slug=slug).values_list("pk", flat=True).first()
        if found:
            return found
    return (
        Donation.objects.filter(stripe_subscription_id=subscription_id)
        .exclude(stripe_subscription_id="")
        .values_list("campaign_id", flat=True)
        .first()
    )


def subscription_state_lock(*, subscription_id):
    state, _ = SubscriptionState.objects.get_or_create(subscription_id=subscription_id)
    return SubscriptionState.objects.select_for_update().get(pk=state.pk)


def subscription_state_record(*, subscription, when):
    """Store what a subscription object says, unless a newer event already did. Returns the state or None."""
    subscription_id = readers.object_id(subscription.get("id"))
    if not subscription_id.startswith("sub_"):
        return None
    state = subscription_state_lock(subscription_id=subscription_id)
    if state.stripe_updated_at is not None and when < state.stripe_updated_at:
        return state  # an older description arriving late
    amount, currency = readers.subscription_amount(subscription)
    item = readers.subscription_item(subscription)
    state.customer_id = readers.object_id(subscription.get("customer")) or state.customer_id
    state.campaign_id = state.campaign_id or _campaign_id(
        metadata=readers.metadata_of(subscription), subscription_id=subscription_id
    )
    state.status = subscription.get("status") if isinstance(subscription.get("status"), str) else state.status
    state.amount = amount or state.amount
    state.currency = currency or state.currency
    state.interval = readers.subscription_interval(subscription) or state.interval
    state.item_id = readers.object_id(item.get("id")) or state.item_id
    if isinstance((subscription.get("items") or {}).get("data"), list):  # a description of the items: its cover
        cover_item = readers.subscription_fee_cover_item(subscription)
        state.fee_cover_item_id = readers.object_id(cover_item.get("id"))
        state.fee_cover = readers.fee_cover_named(readers.metadata_of(subscription)) if cover_item else 0
    state.product_id = readers.object_id((item.get("price") or {}).get("product")) or state.product_id
    state.cancel_at_period_end = subscription.get("cancel_at_period_end") is True
    state.current_period_end = readers.subscription_period_end(subscription) or state.current_period_end
    state.canceled_at = readers.timestamp_read(subscription.get("canceled_at"))
    state.stripe_updated_at = when
    state.save()
    return state


def renewal_failure_record(*, invoice, when):
    """A renewal was declined: remember when (owners see the gift at risk) and journal it, so after commit
    the supporter is asked to update the card. Stripe retries; each attempt is journalled once."""
    subscription_id = readers.invoice_subscription(invoice)
    invoice_id = readers.object_id(invoice.get("id"))
    if not subscription_id or not invoice_id:
        return None
    state = subscription_state_lock(subscription_id=subscription_id)
    state.payment_failed_at = max(filter(None, [state.payment_failed_at, when]))
    state.customer_id = state.customer_id or readers.object_id(invoice.get("customer"))
    state.campaign_id = state.campaign_id or _campaign_id(
        metadata=readers.invoice_metadata(invoice), subscription_id=subscription_id
    )
    state.save()
    email = readers.email_read(invoice.get("customer_email"))
    attempt = readers.invoice_attempt(invoice)
    campaign = Campaign.objects.filter(pk=state.campaign_id).only("organization_id").first()
    entry_write(
        kind=kinds.RENEWAL_FAILED,
        key=f"renewal.failed:{invoice_id}:{attempt}",
        organization_id=campaign.organization_id if campaign else None,
        campaign_id=state.campaign_id,
        data={"invoice_id": invoice_id, "attempt": attempt, "subscription_id": subscription_id, "email": email},
    )
    return state
