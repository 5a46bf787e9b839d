"""Stripe events as received: stored raw, processed once by a task."""

from django.db import models


class StripeEvent(models.Model):
    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    api_version = models.CharField(max_length=40, blank=True)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    stripe_created_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(
                fields=["received_at"], condition=models.Q(processed_at__isnull=True), name="event_unprocessed"
            )
        ]

    def __str__(self):
        return f"{self.type} {self.stripe_id}"


class PaymentState(models.Model):
    """What Stripe last said about one payment's refunds and dispute, whatever order events came in.

    Keyed by payment intent (or charge id when there is none). A refund or dispute may arrive before
    the payment it reverses; it waits here and is applied to the ledger row once that row names the
    payment. Facts only grow (refunds never shrink, a closed dispute never reopens), so replays are safe."""

    key = models.CharField(max_length=255, unique=True, help_text="Payment intent id, else charge id.")
    charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    invoice_id = models.CharField(max_length=255, blank=True, db_index=True)
    currency = models.CharField(max_length=3, blank=True, help_text="Of the refunded and disputed amounts.")
    amount_refunded = models.PositiveBigIntegerField(default=0, help_text="Largest running total on the charge.")
    refunds_live = models.PositiveBigIntegerField(default=0, help_text="Pending and succeeded Refund rows.")
    refunds_gone = models.PositiveBigIntegerField(default=0, help_text="Failed and canceled Refund rows.")
    amount_disputed = models.PositiveBigIntegerField(default=0)
    dispute_status = models.CharField(max_length=5, blank=True)
    conversion_currency = models.CharField(max_length=3, blank=True)
    conversion_amount = models.PositiveBigIntegerField(default=0)
    conversion_source_amount = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.key

    @property
    def refunded(self):
        """What is refunded now, in `currency`: the known live refunds, or the charge's largest running total
        less the refunds that failed since (a charge.refunded may name refunds no refund event described)."""
        return max(self.refunds_live, self.amount_refunded - self.refunds_gone, 0)


class Refund(models.Model):
    """One Stripe refund as last reported, in the currency it was made in. Keyed by its Stripe id, so any
    mix of charge.refunded, refund.* and charge.refund.updated deliveries, in any order, keeps one row.
    A status only moves forward: pending -> succeeded -> failed/canceled (a failed refund gives the money back)."""

    stripe_id = models.CharField(max_length=255, unique=True)
    payment_key = models.CharField(max_length=255, db_index=True, help_text="Its payment's PaymentState key.")
    charge_id = models.CharField(max_length=255, blank=True)
    amount = models.PositiveBigIntegerField(default=0, help_text="In minor units of `currency`.")
    currency = models.CharField(max_length=3, blank=True)
    status = models.CharField(max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.stripe_id} {self.amount} {self.currency} {self.status}"


class SubscriptionLink(models.Model):
    """A subscription whose Checkout Session named a campaign (a monthly Payment Link copies its metadata to
    the session only, never to the subscription): its invoices count for that campaign."""

    subscription_id = models.CharField(max_length=255, unique=True)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    checkout_session_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.subscription_id} -> {self.campaign_id}"


class UnmatchedPayment(models.Model):
    """A paid Stripe payment that names a campaign (or belongs to a subscription) but cannot count, and why.
    Kept so nobody's money disappears silently; the row goes away when the payment counts after all."""

    class Reason(models.TextChoices):
        CURRENCY = "currency", "Other currency than the campaign's"
        UNKNOWN_CAMPAIGN = "unknown_campaign", "Unknown campaign"
        INACTIVE_CAMPAIGN = "inactive_campaign", "Inactive campaign"
        SUBSCRIPTION_UNLINKED = "subscription_unlinked", "Subscription not linked (yet)"

    stripe_id = models.CharField(max_length=255, unique=True, help_text="Payment intent, invoice or charge id.")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    campaign_slug = models.CharField(max_length=255, blank=True)
    amount = models.PositiveBigIntegerField(default=0, help_text="In minor units of `currency`.")
    currency = models.CharField(max_length=3, blank=True)
    subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    payload = models.JSONField(default=dict, help_text="The Stripe object, to count it once it can.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.stripe_id} ({self.reason})"

class SubscriptionState(models.Model):
    """What Stripe last said about one monthly gift's subscription (customer.subscription.* events).

    Pages show a supporter's amount, renewal date and cancellation from here only, so a change shows
    once Stripe's webhook confirms it. Events may come out of order: an older event never overwrites
    a newer one (stripe_updated_at is the creation time of the event last applied)."""

    subscription_id = models.CharField(max_length=255, unique=True)
    customer_id = models.CharField(max_length=255, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    status = models.CharField(max_length=30, blank=True, help_text="Stripe's: active, past_due, canceled...")
    amount = models.PositiveBigIntegerField(default=0, help_text="Per interval (month or year), minor units.")
    # The price's recurring.interval: "month" for monthly gifts, "year" for yearly ones (Donation.Kind.YEARLY).
    interval = models.CharField(max_length=5, blank=True, default="month", db_default="month")
    currency = models.CharField(max_length=3, blank=True)
    item_id = models.CharField(max_length=255, blank=True)
    product_id = models.CharField(max_length=255, blank=True)
    # The card fees cover billed with the gift each month (its own item), 0 when none or dropped.
    fee_cover = models.PositiveBigIntegerField(default=0, db_default=0, help_text="Per month, minor units.")
    fee_cover_item_id = models.CharField(max_length=255, blank=True, default="", db_default="")
    cancel_at_period_end = models.BooleanField(default=False)
    current_period_end = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    payment_failed_at = models.DateTimeField(null=True, blank=True)
    stripe_updated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return self.subscription_id

    AT_RISK_STATUSES = ("past_due", "unpaid", "incomplete")

    @property
    def at_risk(self):
        return self.status in self.AT_RISK_STATUSES
