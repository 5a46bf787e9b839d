"""Celery entry points for Stripe events: take the stored event's id, call one service."""

import logging

from celery import shared_task

from . import payments, services, sweeps

log = logging.getLogger(__name__)

MAX_RETRIES = 8
BACKOFF_CAP_SECONDS = 600


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def event_process(self, event_pk):
    """Apply a stored Stripe event to the ledger; on failure retry after 2, 4, 8... seconds (capped).

    The service records the error and attempt count on the StripeEvent; once retries run out the
    event stays unprocessed for the periodic sweep and for reconciliation to pick up."""
    try:
        services.event_process(event_pk=event_pk)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), BACKOFF_CAP_SECONDS)) from exc


@shared_task(acks_late=True, ignore_result=True)
def events_drain(slot=0):
    """After webhooks store events: process the new ones in a batch (coalesced, so Celery's overhead is paid
    per burst). A worker killed mid-drain loses nothing: its transaction rolls back and the message returns."""
    return services.events_drain(slot=slot)


@shared_task(acks_late=True, ignore_result=True)
def events_sweep(min_age_seconds=sweeps.SWEEP_AFTER_SECONDS):
    """Beat, every minute: events stored but still unprocessed after a few minutes are queued again
    (the broker was down when they arrived, or their retries ran out). Processing is idempotent."""
    for event_pk in sweeps.events_unprocessed(min_age_seconds=min_age_seconds):
        event_process.delay(event_pk)


@shared_task(acks_late=True, ignore_result=True)
def stripe_reconcile():
    """Beat, daily: catch up on events Stripe could not deliver and log what differs."""
    try:
        report = sweeps.stripe_reconcile()
    except payments.StripeNotConfigured:
        return
    for line in report.lines():
        (log.warning if report.differences or report.unprocessed else log.info)("reconcile: %s", line)
