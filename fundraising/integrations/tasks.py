"""Celery entry points of outgoing events: one task per delivery, retried with backoff, then given up; and
beat's sweep of deliveries whose queued try was lost."""

from celery import shared_task

from .delivery import (
    MAX_ATTEMPTS,
    DeliveryRejected,
    backoff_seconds,
    deliveries_due,
    delivery_attempt,
    delivery_give_up,
)

# Retries after the first try (tests and docs count them).
MAX_RETRIES = MAX_ATTEMPTS - 1


@shared_task(bind=True, acks_late=True, max_retries=None)
def event_deliver(self, delivery_id):
    """One try; a failure is retried with backoff (the count lives on the row, so a try the sweep queued
    continues it), then given up."""
    try:
        delivery_attempt(delivery_id=delivery_id)
    except (OSError, DeliveryRejected) as exc:
        attempts = getattr(exc, "attempts", MAX_ATTEMPTS)
        if attempts >= MAX_ATTEMPTS:
            delivery_give_up(delivery_id=delivery_id)
            return
        raise self.retry(exc=exc, countdown=backoff_seconds(attempts)) from exc


@shared_task(acks_late=True, ignore_result=True)
def deliveries_sweep():
    """Beat, every minute: pending deliveries overdue by a minute (their queued try was lost with Redis or a
    killed worker) are queued again; the claim in delivery_attempt keeps one from being posted twice at once."""
    due = deliveries_due()
    for delivery_id in due:
        event_deliver.delay(delivery_id)
    return len(due)
