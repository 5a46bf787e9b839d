"""Celery entry points of outgoing events: one task per try, the next one scheduled with backoff, then given up;
and beat's sweep, which queues tries that were lost and, without a broker, makes every try."""

import datetime
import time

from celery import shared_task

from .delivery import (
    MAX_ATTEMPTS,
    DeliveryRejected,
    backoff_seconds,
    deliveries_due,
    delivery_attempt,
    delivery_give_up,
    endpoint_disabled_notify,
    endpoints_unnotified,
)

# Retries after the first try (tests and docs count them).
MAX_RETRIES = MAX_ATTEMPTS - 1
# Without a broker the sweep posts in the process that ran it (after a response was sent): it starts no new
# try after this long, so one sweep holds that process for at most this plus one try's deadline.
INLINE_SWEEP_SECONDS = 20


def brokerless():
    """No broker (the embedded default): a task would run inside the request that queued it, and a retry's
    countdown is ignored, so deliveries are never queued there: the row is due and beat's sweep posts it."""
    return event_deliver.app.conf.task_always_eager


def delivery_queue(delivery_id):
    """The first try of a new delivery, after commit; without a broker, the sweep's."""
    if not brokerless():
        event_deliver.delay_on_commit(delivery_id)


@shared_task(bind=True, acks_late=True, max_retries=None)
def event_deliver(self, delivery_id):
    """One try; a failure is retried with backoff (the count lives on the row, so a try the sweep queued
    continues it), then given up. The retry is always scheduled: by the broker's countdown, or without one by
    the row's due time that the sweep reads, never run here and now."""
    try:
        delivery_attempt(delivery_id=delivery_id)
    except (OSError, DeliveryRejected) as exc:
        attempts = getattr(exc, "attempts", MAX_ATTEMPTS)
        if attempts >= MAX_ATTEMPTS:
            delivery_give_up(delivery_id=delivery_id)
            return
        if not brokerless():
            raise self.retry(exc=exc, countdown=backoff_seconds(attempts)) from exc


@shared_task(acks_late=True, ignore_result=True)
def deliveries_sweep():
    """Beat, every minute. With a broker: pending deliveries overdue by a minute (their queued try was lost
    with Redis or a killed worker) are queued again. Without one: every due delivery is tried here, for at most
    INLINE_SWEEP_SECONDS. The claim in delivery_attempt keeps one from being posted twice at once, and an
    endpoint from holding more than OUTGOING_MAX_IN_FLIGHT tries."""
    for endpoint_id in endpoints_unnotified():
        endpoint_disabled_notify(endpoint_id=endpoint_id)
    if not brokerless():
        due = deliveries_due()
        for delivery_id in due:
            event_deliver.delay(delivery_id)
        return len(due)
    stop_at = time.monotonic() + INLINE_SWEEP_SECONDS
    due = deliveries_due(grace=datetime.timedelta(0))
    for count, delivery_id in enumerate(due):
        if time.monotonic() >= stop_at:
            return count  # the rest stay due: the next sweep goes on
        event_deliver.apply(args=(delivery_id,))
    return len(due)
