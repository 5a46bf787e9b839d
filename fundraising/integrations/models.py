"""Outgoing events: an owner subscribes a URL of theirs to some event types; each event to each endpoint is
one Delivery, signed with the endpoint's secret and retried with backoff, kept as the delivery log. A
campaign's milestone webhook became such an endpoint (migration 0002)."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

EVENT_TYPES = [
    ("donation.succeeded", "donation.succeeded"),
    ("donation.refunded", "donation.refunded"),
    ("subscription.cancelled", "subscription.cancelled"),
    ("milestone.reached", "milestone.reached"),
    ("period.closed", "period.closed"),
]
EVENT_NAMES = [name for name, _ in EVENT_TYPES]


def validate_events(value):
    from django.core.exceptions import ValidationError

    if not isinstance(value, list) or not value or any(v not in EVENT_NAMES for v in value):
        raise ValidationError(f"Choose one or more of {', '.join(EVENT_NAMES)}.")


def secret_new():
    return f"whsec_{secrets.token_urlsafe(24)}"


class Endpoint(models.Model):
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="endpoints")
    url = models.URLField(help_text="Receives a signed POST (JSON) for each event chosen below.")
    events = models.JSONField(default=list, validators=[validate_events])
    secret = models.CharField(max_length=100, default=secret_new, help_text="Checks the Fundraising-Signature header.")
    include_donor_email = models.BooleanField(
        default=False, help_text="Put supporters' e-mail addresses in donation events (off: they are left out)."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Failed tries in a row (reset by a delivery, and when the endpoint is disabled for them): an endpoint that
    # keeps failing is switched off, and its owners are told once (owners_notified_at; the sweep retries).
    failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    owners_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self):
        return self.url


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=60)
    event_type = models.CharField(max_length=40)
    # What makes an event the same event (a re-sent signal, a retried task): one delivery per endpoint.
    event_key = models.CharField(max_length=200)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # When the next try is due (beat's sweep queues what is overdue, so a try lost with Redis still goes), and
    # until when one process holds the delivery while it posts (two queued tries never both post).
    due_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["due_at"], condition=Q(status="pending"), name="delivery_due")]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_key"], name="delivery_once_per_endpoint"),
            models.CheckConstraint(
                condition=Q(status="delivered", delivered_at__isnull=False) | ~Q(status="delivered"),
                name="delivery_delivered_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} to {self.endpoint}"
