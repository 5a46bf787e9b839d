"""Monthly rollover: each campaign's past month closes with its final total and the new one opens.

campaigns_roll does every campaign at once with a few set-based queries (what ended is found in SQL, new
months are created in bulk, closing goes in batches), so it costs what changed, not how many exist;
campaign_rollover does one campaign (a widget read that finds its month ended)."""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Case, DateField, Exists, F, OuterRef, Value, When
from django.utils import timezone

from fundraising.campaigns.models import Campaign, Milestone, Period
from fundraising.campaigns.services import month_bounds, period_for
from fundraising.core.bulk import rows_update
from fundraising.journal import kinds
from fundraising.journal.services import Happening, entries_write

from . import tally
from .services import period_recompute

CLOSE_BATCH = 500


def campaign_rollover(*, campaign: Campaign, now: datetime.datetime | None = None) -> list[int]:
    """Close the campaign's open periods before the current local month; return the ids closed.

    Runs every few minutes and is idempotent: the current month's period is created with the
    campaign's target and milestones as they are now, and closing is a compare-and-set."""
    now = now or timezone.now()
    current = period_for(campaign=campaign, when=now)
    closed = []
    for period_id in (
        Period.objects.filter(campaign=campaign, closed_at__isnull=True, start__lt=current.start)
        .order_by("start")
        .values_list("pk", flat=True)
    ):
        period_recompute(period_id=period_id)
        if Period.objects.filter(pk=period_id, closed_at__isnull=True).update(closed_at=now):
            closed.append(period_id)
    periods_closed_journal(period_ids=closed, organization_id=campaign.organization_id, campaign_id=campaign.pk)
    return closed


def periods_closed_journal(*, period_ids, organization_id=None, campaign_id=None, campaigns=None, dispatched=False):
    """One period.closed entry per month closed (its key is the period: a month closes once).
    `campaigns` maps each period to (campaign id, organisation id) when they differ; dispatched=True records
    history without following it up."""
    entries_write(
        (
            Happening(
                kind=kinds.PERIOD_CLOSED,
                key=f"period.closed:{period_id}",
                organization_id=campaigns[period_id][1] if campaigns else organization_id,
                campaign_id=campaigns[period_id][0] if campaigns else campaign_id,
                period_id=period_id,
            )
            for period_id in period_ids
        ),
        dispatched=dispatched,
    )


def campaigns_to_roll():
    return Campaign.objects.filter(active=True).order_by("pk")


def current_month_starts(*, now):
    """{time zone: (first, last day of its current month)} for the zones active campaigns use."""
    zones = campaigns_to_roll().order_by().values_list("time_zone", flat=True).distinct()
    return {zone: month_bounds(tz=ZoneInfo(zone), when=now) for zone in zones}


def _current_start(bounds, zone_field):
    """The current month's first day for each row, from its campaign's time zone, as an SQL expression."""
    whens = [When(**{zone_field: zone}, then=Value(start)) for zone, (start, _) in bounds.items()]
    return Case(*whens, default=None, output_field=DateField())


def periods_open(*, bounds):
    """Create, in bulk, the current month of every active campaign that has none; returns campaign ids."""
    current = Period.objects.filter(campaign=OuterRef("pk"), start=OuterRef("current_start"))
    missing = list(
        campaigns_to_roll()
        .annotate(current_start=_current_start(bounds, "time_zone"))
        .filter(~Exists(current))
        .values_list("pk", "time_zone", "monthly_target")
    )
    milestones = {}
    for campaign_id, amount, label in (
        Milestone.objects.filter(campaign_id__in=[m[0] for m in missing])
        .order_by("campaign_id", "amount")
        .values_list("campaign_id", "amount", "label")
    ):
        milestones.setdefault(campaign_id, []).append({"amount": amount, "label": label})
    periods = [
        Period(
            campaign_id=campaign_id,
            start=bounds[zone][0],
            end=bounds[zone][1],
            target=target,
            milestones=milestones.get(campaign_id, []),
        )
        for campaign_id, zone, target in missing
    ]
    Period.objects.bulk_create(periods, batch_size=1000, ignore_conflicts=True)
    return {campaign_id for campaign_id, _, _ in missing}


def periods_close(*, bounds, now):
    """Close every open period of an active campaign that ended before its zone's current month, with its
    final figures, CLOSE_BATCH periods per transaction; returns the campaign ids."""
    ended = list(
        Period.objects.filter(closed_at__isnull=True, campaign__active=True)
        .annotate(current_start=_current_start(bounds, "campaign__time_zone"))
        .filter(start__lt=F("current_start"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    campaigns = set()
    for index in range(0, len(ended), CLOSE_BATCH):
        campaigns |= _periods_close_batch(period_ids=ended[index : index + CLOSE_BATCH], now=now)
    return campaigns


def _periods_close_batch(*, period_ids, now):
    with transaction.atomic():
        # The same row lock a recompute takes, so no refresh of these periods overwrites the final figures.
        locked = {
            pk: (campaign_id, organization_id)
            for pk, campaign_id, organization_id in Period.objects.select_for_update(no_key=True, of=("self",))
            .filter(pk__in=period_ids, closed_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "campaign_id", "campaign__organization_id")
        }
        figures = tally.periods_tally_fold(period_ids=list(locked))
        rows = {pk: {"raised": figures[pk][0], "donors": figures[pk][1]} for pk in locked}
        rows_update(Period, rows, same={"recomputed_at": now, "closed_at": now})
        periods_closed_journal(period_ids=list(locked), campaigns=locked)
    return {campaign_id for campaign_id, _ in locked.values()}


def campaigns_roll(*, now=None):
    """Roll every active campaign: open current months, close ended ones. Returns the ids of campaigns
    whose widget must switch month. When nothing ended it costs three queries."""
    now = now or timezone.now()
    bounds = current_month_starts(now=now)
    return sorted(periods_open(bounds=bounds) | periods_close(bounds=bounds, now=now))
