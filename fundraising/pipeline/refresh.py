"""Refreshing a period: its totals from the ledger, then the campaign's widget, then milestones crossed.

Bursts of ledger changes coalesce into one refresh per period (a cache mark says "one is queued"), and
refreshes of one campaign run one at a time, so the newest sum is the one the widget shows last."""

import contextlib

from django.core.cache import cache
from django.db import transaction

from fundraising.campaigns import milestones
from fundraising.campaigns.models import Campaign, Period
from fundraising.ledger.services import period_recompute, periods_recompute
from fundraising.widgets.services import entries_store, snapshot_refresh

# How long "a refresh of this period is queued" holds; only matters if that task is lost.
REFRESH_QUEUED_SECONDS = 120
# A refresh starts this long after the first change of a burst, so one render covers the burst.
REFRESH_DEBOUNCE_SECONDS = 0.3


def period_refresh_key(period_id):
    return f"period-refresh-queued:{period_id}"


def period_refresh_mark(*, period_id):
    """Take the "a refresh is queued" mark; False when another change already queued one."""
    return cache.add(period_refresh_key(period_id), 1, REFRESH_QUEUED_SECONDS)


# The dashboard's breakdown: the open month's reads its running figures (a few queries), but under a stream of
# gifts once a minute per period is enough, and it spares the worker that work per event.
BREAKDOWN_DEBOUNCE_SECONDS = 60


def period_breakdown_key(period_id):
    return f"period-breakdown-queued:{period_id}"


def period_breakdown_mark(*, period_id):
    return cache.add(period_breakdown_key(period_id), 1, BREAKDOWN_DEBOUNCE_SECONDS * 2)


def period_breakdown_started(*, period_id):
    cache.delete(period_breakdown_key(period_id))


def period_refresh_started(*, period_id):
    """The task clears the mark before it reads the ledger: a change committed after that queues
    another run, one committed before it is in the sum."""
    cache.delete(period_refresh_key(period_id))


@contextlib.contextmanager
def campaign_refresh_lock(*, period_id):
    """One refresh per campaign at a time: the refresh that sums the ledger last also writes the widget last.

    NO KEY UPDATE does not block donations being inserted (they only take KEY SHARE on the campaign)."""
    with transaction.atomic():
        campaign_id = Period.objects.values_list("campaign_id", flat=True).get(pk=period_id)
        Campaign.objects.select_for_update(no_key=True).filter(pk=campaign_id).first()
        yield campaign_id


def period_refresh(*, period_id: int) -> list[int]:
    """Totals from the ledger, the widget, then the ids of milestones crossed for the first time."""
    period_refresh_started(period_id=period_id)
    with campaign_refresh_lock(period_id=period_id) as campaign_id:
        period = period_recompute(period_id=period_id)
        snapshot_refresh(campaign_id=campaign_id)
    return milestones.crossings_record(period=period)


def periods_refresh(*, period_ids) -> list[int]:
    """period_refresh for several periods (the ones a drain's batch touched) in one transaction and a few round
    trips whatever their number: their campaigns locked together in one statement (in id order, so two batches
    never deadlock), the periods' totals together (periods_recompute), then every widget (the current periods just
    recomputed are not read again) and one cache round trip. Returns the ids of the milestones crossed for the
    first time."""
    cache.delete_many([period_refresh_key(period_id) for period_id in period_ids])
    with transaction.atomic():
        campaigns = Period.objects.filter(pk__in=period_ids).values("campaign_id")
        campaign_ids = list(
            Campaign.objects.select_for_update(no_key=True).filter(pk__in=campaigns).order_by("pk")
            .values_list("pk", flat=True)
        )  # fmt: skip
        periods = periods_recompute(period_ids=period_ids)
        entries_store(campaign_ids=campaign_ids, periods=periods)
    crossed = []
    for period in periods:
        crossed += milestones.crossings_record(period=period)
    return crossed
