"""Celery entry points for operators."""

from celery import shared_task

from . import health


@shared_task(ignore_result=True)
def beat_heartbeat():
    """Beat, every minute: /healthz reports beat as down when this stops arriving."""
    health.beat_record()
