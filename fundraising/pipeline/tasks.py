"""Celery entry points after the ledger changes: take ids, load, call one service.

- period_refresh_task: totals, widget and milestones of one period (fundraising/pipeline/refresh.py);
  periods_refresh_task: the same for the periods one dispatch touched, in one task
- periods_breakdown: the dashboard's breakdowns of the periods one dispatch touched, debounced
- periods_rollover / campaigns_widgets_refresh: a month closes at local midnight (fundraising/ledger/rollover.py)
- milestone_notify: the owners' e-mail of a crossing (fundraising/campaigns/milestones.py); owners' URLs get
  milestone.reached from fundraising.integrations
- period_summary: the month-end e-mail to owners, once per period (fundraising/campaigns/summaries.py)
- periods_sweep: beat's catch-up for refreshes lost while the broker was down
"""

import datetime
import logging

from celery import shared_task
from django.utils import timezone
from kombu.exceptions import OperationalError

from fundraising.campaigns import milestones, summaries
from fundraising.campaigns.models import Period
from fundraising.core.mail import mail_error_describe
from fundraising.ledger import rollover, verify
from fundraising.ledger.services import (
    period_breakdown_store,
    periods_breakdown_lost,
    periods_breakdown_store,
    periods_stale,
)
from fundraising.widgets.services import snapshots_refresh

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
def period_refresh_task(period_id):
    """After ledger changes: totals from the ledger, then the campaign's widget, then milestones crossed
    (each journalled: fundraising/pipeline/consumers.py e-mails the owners)."""
    refresh.period_refresh(period_id=period_id)


# Periods per refresh task when one dispatch touches many (a drain's gifts spread over campaigns): Celery's cost
# per task is paid once per batch, and two batches of a drain of 50 still keep both worker processes busy.
REFRESHES_PER_TASK = 25


@shared_task(**RETRYING)
def periods_refresh_task(period_ids):
    """period_refresh_task for several periods, together (refresh.periods_refresh). If that fails, each in turn
    in its own transaction; one that fails again gets its own retrying task, so it never holds back the others."""
    try:
        refresh.periods_refresh(period_ids=period_ids)
        return
    except Exception:
        logger.warning("refresh of %s periods together failed, refreshing each alone", len(period_ids), exc_info=True)
    for period_id in period_ids:
        try:
            refresh.period_refresh(period_id=period_id)
        except Exception:
            logger.warning("refresh of period %s failed, retrying in its own task", period_id, exc_info=True)
            period_refresh_task.delay(period_id)


def periods_refresh_enqueue(*, period_ids):
    """Queue a refresh of each period unless one is already waiting to start (bursts coalesce), in tasks of
    REFRESHES_PER_TASK. Returns the ids queued."""
    marked = [period_id for period_id in period_ids if refresh.period_refresh_mark(period_id=period_id)]
    for index in range(0, len(marked), REFRESHES_PER_TASK):
        chunk = marked[index : index + REFRESHES_PER_TASK]
        try:
            periods_refresh_task.apply_async((chunk,), countdown=refresh.REFRESH_DEBOUNCE_SECONDS)
        except OperationalError:
            # Broker down: the ledger is committed; the stale-period sweep refreshes them once the broker is back.
            for period_id in marked[index:]:
                refresh.period_refresh_started(period_id=period_id)
            logger.warning("broker unavailable, refresh of %s periods deferred to the sweep", len(marked) - index)
            return marked[:index]
    return marked


# Closed months per follow-up task: a month-end closes thousands; one task each would cost a publish apiece.
CLOSED_PER_TASK = 100
# The follow-ups (breakdowns, e-mails) wait behind every task of the default priority (0, taken first on
# Redis): the widgets that switch month, and the refreshes of gifts arriving meanwhile, go first.
FOLLOWUP_PRIORITY = 6


def periods_closed_followup_enqueue(*, period_ids):
    """The closed months' final breakdowns, then their summaries, in tasks of CLOSED_PER_TASK, after the widgets."""
    for index in range(0, len(period_ids), CLOSED_PER_TASK):
        periods_closed_followup.apply_async((period_ids[index : index + CLOSED_PER_TASK],), priority=FOLLOWUP_PRIORITY)


@shared_task(**RETRYING)
def periods_closed_followup(period_ids):
    """The closed months' final breakdowns (a few queries for the lot), then each one's summary e-mail; a summary
    that fails gets a retrying task of its own, so one bad address never holds back the others."""
    periods_breakdown_store(period_ids=period_ids)
    for period_id in period_ids:
        try:
            summaries.period_summary_send(period_id=period_id)
        except Exception:
            logger.warning("summary of period %s failed, retrying in its own task", period_id, exc_info=True)
            period_summary.delay(period_id)


@shared_task(**RETRYING)
def period_breakdown(period_id):
    """The month's breakdown for the owners' dashboard (messages queued by earlier releases; now periods_breakdown).
    The open month's reads its running figures (fundraising/ledger/tally.py); it runs apart from the refresh, at
    most once per BREAKDOWN_DEBOUNCE_SECONDS per period under a stream of gifts."""
    refresh.period_breakdown_started(period_id=period_id)
    period_breakdown_store(period_id=period_id)


@shared_task(**RETRYING)
def periods_breakdown(period_ids):
    """period_breakdown for the periods one dispatch touched, in a few queries for the lot."""
    for period_id in period_ids:
        refresh.period_breakdown_started(period_id=period_id)
    periods_breakdown_store(period_ids=period_ids)


def periods_breakdown_enqueue(*, period_ids):
    """One debounced breakdown task for the periods with none queued yet."""
    marked = [period_id for period_id in period_ids if refresh.period_breakdown_mark(period_id=period_id)]
    if not marked:
        return []
    try:
        periods_breakdown.apply_async((marked,), countdown=refresh.BREAKDOWN_DEBOUNCE_SECONDS)
    except OperationalError:
        for period_id in marked:
            refresh.period_breakdown_started(period_id=period_id)  # the sweep and the month-end close store them
        return []
    return marked


@shared_task(acks_late=True, ignore_result=True)
def milestone_notify(crossing_id):
    """E-mail the owners once (the crossing's notified_at). A failed send is recorded on the crossing with when to try
    again (milestones.crossing_email_failed: waits doubling from a minute to an hour, 11 tries at most) and
    periods_sweep queues it then: the retry lives in the database, not in a queued message, with or without a
    broker (without one this runs in the request that journalled the crossing, and tries once there)."""
    try:
        milestones.crossing_email(crossing_id=crossing_id)
    except Exception as exc:
        milestones.crossing_email_failed(crossing_id=crossing_id, error=mail_error_describe(exc))


# Widgets switched to the new month per task: large enough to be cheap to queue, small enough to spread.
WIDGETS_PER_TASK = 100


@shared_task(acks_late=True)
def periods_rollover():
    """Beat, every few minutes: close ended months and open new ones for all campaigns in a few set-based
    queries, then switch their widgets in tasks of WIDGETS_PER_TASK that any worker may take."""
    campaign_ids = rollover.campaigns_roll()
    for index in range(0, len(campaign_ids), WIDGETS_PER_TASK):
        campaigns_widgets_refresh.delay(campaign_ids[index : index + WIDGETS_PER_TASK])
    return len(campaign_ids)


@shared_task(**RETRYING)
def campaigns_widgets_refresh(campaign_ids):
    """Re-render the widgets of these campaigns from their stored totals (after a rollover)."""
    return snapshots_refresh(campaign_ids=campaign_ids)


@shared_task(**RETRYING)
def period_summary(period_id):
    """E-mail the closed month's summary to the owners; the PeriodSummary row makes it once per month."""
    summaries.period_summary_send(period_id=period_id)


# A breakdown runs BREAKDOWN_DEBOUNCE_SECONDS after the change that queued it; one still missing after this was lost.
BREAKDOWN_GRACE = datetime.timedelta(seconds=refresh.BREAKDOWN_DEBOUNCE_SECONDS * 3)

# A crossing's e-mail is queued when the crossing is journalled (or by the sweep); one still unsent after this was
# lost, and a queued one is left alone this long by the next sweeps.
CROSSING_EMAIL_GRACE = datetime.timedelta(minutes=5)


@shared_task(acks_late=True, ignore_result=True)
def periods_sweep():
    """Beat, every minute: periods whose refresh or breakdown never ran (broker down, Redis emptied) are queued
    again, and so are the owners' e-mails of crossings whose queued task was lost or whose failed try is due again
    (crossing_email sends each once)."""
    periods_refresh_enqueue(period_ids=periods_stale())
    periods_breakdown_enqueue(period_ids=periods_breakdown_lost(grace=BREAKDOWN_GRACE))
    for crossing_id in milestones.crossings_email_due(now=timezone.now(), grace=CROSSING_EMAIL_GRACE):
        milestone_notify.delay(crossing_id)
    periods_closed_followup_enqueue(period_ids=periods_summary_lost())


# A closed month's follow-up (final breakdown, summary e-mail) is queued when its close is dispatched; one
# whose summary is still missing after this was lost. Older closes are history, not a promise to keep.
SUMMARY_GRACE = datetime.timedelta(minutes=10)
SUMMARY_HORIZON = datetime.timedelta(days=7)


def periods_summary_lost(*, now=None, limit=500):
    """Months closed between SUMMARY_HORIZON and SUMMARY_GRACE ago, of organisations that want the summary,
    that have none: their follow-up task was lost (a killed worker, an emptied Redis)."""
    now = now or timezone.now()
    return list(
        Period.objects.filter(
            closed_at__lte=now - SUMMARY_GRACE,
            closed_at__gte=now - SUMMARY_HORIZON,
            campaign__organization__summary_email=True,
            summary__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


@shared_task(acks_late=True, ignore_result=True)
def periods_verify_task():
    """Beat, hourly: sum the open months' ledger in full, repair and report any running figure that differs."""
    verify.periods_verify()
