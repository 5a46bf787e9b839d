"""Celery entry points for periods and milestones: take ids, load, call services."""

import logging

from celery import shared_task

from fundraising.widgets.services import snapshot_refresh

from . import health, milestones, rollover, services

logger = logging.getLogger(__name__)

# Re-running any of these is safe, so a worker that dies mid-task hands it to another (acks_late).
RETRYING = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(**RETRYING)
def period_refresh(period_id):
    """After ledger changes: totals from the ledger, milestones crossed, then the campaign's widget."""
    services.period_refresh_started(period_id=period_id)
    with services.campaign_refresh_lock(period_id=period_id) as campaign_id:
        period = services.period_recompute(period_id=period_id)
        snapshot_refresh(campaign_id=campaign_id)
    for crossing_id in milestones.crossings_record(period=period):
        milestone_notify.delay_on_commit(crossing_id)


@shared_task(**RETRYING)
def milestone_notify(crossing_id):
    """E-mail the owners, then hand the publisher's webhook to its own retrying task."""
    milestones.crossing_email(crossing_id=crossing_id)
    milestone_webhook.delay(crossing_id)


@shared_task(
    acks_late=True,
    autoretry_for=(OSError, milestones.WebhookRejected),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def milestone_webhook(crossing_id):
    """POST the signed milestone to the publisher; backs off from 30 s to an hour between tries."""
    milestones.crossing_webhook_post(crossing_id=crossing_id)


@shared_task(acks_late=True)
def periods_rollover():
    """Beat, every few minutes: one task per active campaign, so one failing does not hold up the rest."""
    for campaign_id in rollover.campaigns_to_roll().values_list("pk", flat=True):
        campaign_rollover.delay(campaign_id)


@shared_task(**RETRYING)
def campaign_rollover(campaign_id):
    """Close the campaign's ended month with its final total, open the new one, switch the widget."""
    campaign = rollover.campaigns_to_roll().filter(pk=campaign_id).first()
    if campaign and rollover.campaign_rollover(campaign=campaign):
        snapshot_refresh(campaign_id=campaign_id)


@shared_task(ignore_result=True)
def beat_heartbeat():
    """Beat, every minute: /healthz reports beat as down when this stops arriving."""
    health.beat_record()


@shared_task(acks_late=True, ignore_result=True)
def periods_sweep():
    """Beat, every minute: periods whose refresh never ran (broker was down) are queued again."""
    for period_id in services.periods_stale():
        services.period_refresh_enqueue(period_id=period_id)
