"""What the pipeline does after each journal entry (registered in PipelineConfig.ready): refresh the periods a
change touched, e-mail owners about milestones, follow up closed months, and refresh a changed campaign's
month. Each is idempotent: the journal's sweep may run it again."""

from fundraising.campaigns.models import Campaign
from fundraising.campaigns.services import period_for
from fundraising.journal import kinds

from . import tasks


def periods_touched(entries):
    touched = set()
    for entry in entries:
        touched.add(entry.period_id)
        touched.add((entry.data or {}).get("old_period_id"))
    return sorted(touched - {None})


def periods_refresh(entries):
    """A ledger change: one coalesced refresh per period touched, and the dashboard's debounced breakdown; the
    periods of one dispatch (a drain's batch) share their tasks."""
    period_ids = periods_touched(entries)
    tasks.periods_refresh_enqueue(period_ids=period_ids)
    tasks.periods_breakdown_enqueue(period_ids=period_ids)


def milestones_email(entries):
    for entry in entries:
        tasks.milestone_notify.delay(entry.data["crossing_id"])


def periods_closed(entries):
    tasks.periods_closed_followup_enqueue(period_ids=[entry.period_id for entry in entries])


def campaigns_refresh(entries):
    """A campaign changed: refresh its open month, so a lowered target records its crossings."""
    campaign_ids = sorted({entry.campaign_id for entry in entries})
    campaigns = Campaign.objects.filter(pk__in=campaign_ids, active=True)
    tasks.periods_refresh_enqueue(period_ids=[period_for(campaign=campaign).pk for campaign in campaigns])


REGISTRY = [
    (kinds.DONATION_COUNTED, periods_refresh),
    (kinds.DONATION_REFUNDED, periods_refresh),
    (kinds.DONATION_CHANGED, periods_refresh),
    (kinds.PERIOD_CHANGED, periods_refresh),
    (kinds.MILESTONE_REACHED, milestones_email),
    (kinds.PERIOD_CLOSED, periods_closed),
    (kinds.CAMPAIGN_UPDATED, campaigns_refresh),
]
