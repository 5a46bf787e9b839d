"""Catching up with Stripe: re-queue stored events left unprocessed, and reconcile with Stripe's own list."""

import datetime

from django.utils import timezone

from .models import StripeEvent

# Long enough that an event normally waiting its turn in the queue is not queued twice.
SWEEP_AFTER_SECONDS = 180
SWEEP_BATCH = 500
# Older ones need a person: reconciliation reports them.
SWEEP_WITHIN_DAYS = 7


def events_unprocessed(*, min_age_seconds=SWEEP_AFTER_SECONDS, now=None):
    """Ids of stored events still unprocessed `min_age_seconds` after they arrived, oldest first."""
    now = now or timezone.now()
    return list(
        StripeEvent.objects.filter(
            processed_at__isnull=True,
            received_at__lte=now - datetime.timedelta(seconds=min_age_seconds),
            received_at__gte=now - datetime.timedelta(days=SWEEP_WITHIN_DAYS),
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
