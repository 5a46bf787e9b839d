"""Celery entry points for Stripe events: take the stored event's id, call one service.

Each task is named after the service it calls, plus `_task` (docs/layers.md, "Written reasons"):
- stripe_events_drain_task: after webhooks store events, apply the new ones in batches
  (fundraising/payments/stripe_events.py)
- stripe_event_process_task: one event on its own, retried with backoff (a failing one leaves the drain)
- events_sweep: beat's catch-up for stored events nobody processed
- stripe_reconcile_task: beat, daily (fundraising/payments/reconcile.py)
"""

import logging

from celery import shared_task
from django.conf import settings
from kombu.exceptions import OperationalError

from . import reconcile, stripe_api, stripe_events

log = logging.getLogger(__name__)

MAX_RETRIES = 8
BACKOFF_CAP_SECONDS = 600


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def stripe_event_process_task(self, event_pk):
    """Apply a stored Stripe event to the ledger; on failure retry after 2, 4, 8... seconds (capped).

    The service records the error and attempt count on the StripeEvent; once retries run out the
    event stays unprocessed for the periodic sweep and for reconciliation to pick up."""
    try:
        stripe_events.stripe_event_process(event_pk=event_pk)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), BACKOFF_CAP_SECONDS)) from exc


def stripe_event_process_enqueue(*, event_pk, countdown=None):
    """Queue one event's own processing (sweep, retries). With the broker down the event stays stored
    and unprocessed; the sweep queues it later."""
    try:
        stripe_event_process_task.apply_async((event_pk,), countdown=countdown)
    except OperationalError:
        log.warning("broker unavailable, event %s left to the sweep", event_pk)


@shared_task(acks_late=True, ignore_result=True)
def stripe_events_drain_task(slot=0):
    """After webhooks store events: process the new ones in a batch (coalesced, so Celery's overhead is paid
    per burst). A worker killed mid-drain loses nothing: its transaction rolls back and the message returns."""
    drained = stripe_events.stripe_events_drain(slot=slot)
    for event_pk in drained.failed:
        log.warning("event %s failed, retrying on its own", event_pk)
        stripe_event_process_enqueue(event_pk=event_pk, countdown=2)
    if drained.more:  # a backlog keeps STRIPE_EVENT_DRAINS drains busy; webhooks only ever fill the first
        stripe_events_drain_enqueue(slots=settings.STRIPE_EVENT_DRAINS, countdown=None)
    return drained.applied


def stripe_events_drain_enqueue(*, slots=1, countdown=stripe_events.DRAIN_DEBOUNCE_SECONDS):
    """Queue a drain of new events unless one is already waiting to start in the first `slots` slots:
    Celery's overhead is paid per burst, not per event; a webhook's drain starts `countdown` seconds later, so
    the events of a burst share one batch (a backlog's next drain starts at once). With the broker down the
    webhook still answers 200 (Stripe would otherwise retry for days) and the sweep processes the stored events
    later."""
    if stripe_events_drain_task.app.conf.task_always_eager:
        # No broker (the embedded default): the drain runs here and now, so there is no message to
        # coalesce. A mark would live in the database cache and, if PostgreSQL went away between taking it
        # and the drain clearing it, keep every later webhook from draining until it expired.
        try:
            stripe_events_drain_task.delay(0)
        except Exception:  # the drain failed (database or cache away): the stored events are the sweep's
            log.warning("drain failed, new events left to the sweep", exc_info=True)
            return False
        return True
    try:
        slot = stripe_events.drain_mark_take(slots=slots)
    except Exception:  # Redis (cache and broker) down: the stored events are the sweep's
        log.warning("cache unavailable, new events left to the sweep")
        return False
    if slot is None:
        return False
    try:
        stripe_events_drain_task.apply_async((slot,), countdown=countdown)
    except OperationalError:
        stripe_events.drain_mark_clear(slot=slot)
        log.warning("broker unavailable, new events left to the sweep")
        return False
    return True


@shared_task(acks_late=True, ignore_result=True)
def events_sweep(min_age_seconds=stripe_events.SWEEP_AFTER_SECONDS):
    """Beat, every minute: events stored but still unprocessed after a few minutes are queued again
    (the broker was down when they arrived, or their retries ran out). Processing is idempotent."""
    for event_pk in stripe_events.stripe_events_unprocessed(min_age_seconds=min_age_seconds):
        stripe_event_process_task.delay(event_pk)


@shared_task(acks_late=True, ignore_result=True)
def stripe_reconcile_task():
    """Beat, daily: catch up on events Stripe could not deliver and log what differs."""
    try:
        report = reconcile.stripe_reconcile()
    except stripe_api.StripeNotConfigured:
        return
    for line in report.lines():
        (log.info if report.clean else log.warning)("reconcile: %s", line)
