"""Celery entry points after the ledger changes: take ids, load, call one service.

- period_refresh: totals, widget and milestones of one period (fundraising/pipeline/refresh.py)
- periods_rollover / campaign_rollover: a month closes at local midnight (fundraising/ledger/rollover.py)
- milestone_notify / milestone_webhook: e-mail and signed POST (fundraising/campaigns/milestones.py)
- period_summary: the month-end e-mail to owners, once per period (fundraising/campaigns/summaries.py)
- periods_sweep: beat's catch-up for refreshes lost while the broker was down
"""

import logging

from celery import shared_task
from kombu.exceptions import OperationalError

from fundraising.campaigns import milestones, summaries
from fundraising.ledger import rollover
from fundraising.ledger.services import periods_stale
from fundraising.ledger.signals import announce, milestone_reached
from fundraising.widgets.services import snapshot_refresh

from . import refresh

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
    """After ledger changes: totals from the ledger, then the campaign's widget, then milestones crossed."""
    for crossing_id in refresh.period_refresh(period_id=period_id):
        milestone_notify.delay_on_commit(crossing_id)
        announce(milestone_reached, crossing_id=crossing_id)


def period_refresh_enqueue(*, period_id):
    """Queue one refresh of the period unless one is already waiting to start, so bursts coalesce."""
    if not refresh.period_refresh_mark(period_id=period_id):
        return False
    try:
        period_refresh.apply_async((period_id,), countdown=refresh.REFRESH_DEBOUNCE_SECONDS)
    except OperationalError:
        # Broker down: the ledger is committed; the stale-period sweep refreshes it once the broker is back.
        refresh.period_refresh_started(period_id=period_id)
        logger.warning("broker unavailable, refresh of period %s deferred to the sweep", period_id)
        return False
    return True


def period_changed_receive(sender, *, period_id, **kwargs):
    """Receiver of fundraising.ledger.signals.period_changed (connected in PipelineConfig.ready)."""
    period_refresh_enqueue(period_id=period_id)


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
    closed = rollover.campaign_rollover(campaign=campaign) if campaign else []
    if closed:
        snapshot_refresh(campaign_id=campaign_id)
    for period_id in closed:
        period_summary.delay_on_commit(period_id)


@shared_task(**RETRYING)
def period_summary(period_id):
    """E-mail the closed month's summary to the owners; the PeriodSummary row makes it once per month."""
    summaries.period_summary_send(period_id=period_id)


@shared_task(acks_late=True, ignore_result=True)
def periods_sweep():
    """Beat, every minute: periods whose refresh never ran (broker was down) are queued again."""
    for period_id in periods_stale():
        period_refresh_enqueue(period_id=period_id)
