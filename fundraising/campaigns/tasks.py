"""Celery entry points for periods: take ids, load, call one service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=300, max_retries=10)
def period_refresh(period_id):
    """Recompute a period's totals from the ledger after a change."""
    services.period_recompute(period_id=period_id)
