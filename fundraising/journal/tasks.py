"""Celery entry point of the journal: beat's sweep of entries left undispatched."""

from celery import shared_task

from . import dispatch


@shared_task(acks_late=True, ignore_result=True)
def journal_sweep_task():
    """Beat, every minute: dispatch the entries whose after-commit dispatch never ran or failed."""
    return dispatch.entries_sweep()
