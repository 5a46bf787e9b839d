"""Celery entry point of outgoing events: one task per delivery, retried with backoff, then given up."""

from celery import shared_task

from .delivery import DeliveryRejected, delivery_attempt, delivery_give_up

MAX_RETRIES = 8


def backoff_seconds(retries):
    """30 s, 1 min, 2 min ... capped at an hour: about 4 hours of tries in all."""
    return min(30 * 2**retries, 3600)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def event_deliver(self, delivery_id):
    try:
        delivery_attempt(delivery_id=delivery_id)
    except (OSError, DeliveryRejected) as exc:
        if self.request.retries >= MAX_RETRIES:
            delivery_give_up(delivery_id=delivery_id)
            return
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
