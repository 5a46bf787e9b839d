"""Celery entry points for Stripe events: take the stored event's id, call one service."""

from celery import shared_task

from . import services

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
