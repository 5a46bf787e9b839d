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
    amount_refunded = models.PositiveBigIntegerField(default=0)
    amount_disputed = models.PositiveBigIntegerField(default=0)
    dispute_status = models.CharField(max_length=5, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.key
