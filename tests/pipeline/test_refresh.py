"""fundraising/pipeline/refresh.py period_refresh, one period alone (a task retried on its own): the widget shows the
new sum, and the period's "queued" mark is given back as the refresh starts, so a change committed meanwhile queues
the next refresh instead of being folded into one that already read the ledger."""

from unittest import mock

from django.core.cache import cache
from django.utils import timezone

from fundraising.campaigns.models import MilestoneCrossing, Period
from fundraising.campaigns.services import campaign_sync_open_period
from fundraising.pipeline import refresh, tasks
from fundraising.widgets.services import entry_key
from tests.factories import CampaignFactory, DonationFactory, MilestoneFactory


def test_a_refresh_of_one_period_shows_its_sum_on_the_widget(db):
    campaign = CampaignFactory(slug="alone")
    with (
        mock.patch.object(tasks.periods_refresh_task, "apply_async"),
        mock.patch.object(tasks.periods_breakdown, "apply_async"),
    ):
        period_id = DonationFactory(campaign=campaign, amount=4200).period_id
    tasks.period_refresh_task(period_id)
    assert Period.objects.get(pk=period_id).raised == 4200
    assert cache.get(entry_key("alone"))["snapshot"]["raised"] == 4200


def test_a_change_after_the_refresh_started_queues_the_next_one(db, campaign):
    period_id = DonationFactory(campaign=campaign, amount=1000).period_id
    assert refresh.period_refresh_mark(period_id=period_id)  # a refresh is queued
    assert not refresh.period_refresh_mark(period_id=period_id)  # changes meanwhile share it
    refresh.period_refresh(period_id=period_id)
    assert refresh.period_refresh_mark(period_id=period_id)  # the next change queues another


def test_a_batch_refresh_gives_back_the_marks_and_returns_the_first_crossings(db):
    campaigns = [CampaignFactory(slug=slug) for slug in ("north", "south")]
    for campaign in campaigns:
        MilestoneFactory(campaign=campaign, amount=2000, label="Halfway")
        campaign_sync_open_period(campaign=campaign)
    with (
        mock.patch.object(tasks.periods_refresh_task, "apply_async"),
        mock.patch.object(tasks.periods_breakdown, "apply_async"),
    ):
        period_ids = [DonationFactory(campaign=campaign, amount=2500).period_id for campaign in campaigns]
    assert all(refresh.period_refresh_mark(period_id=period_id) for period_id in period_ids)
    crossed = refresh.periods_refresh(period_ids=period_ids)
    assert sorted(crossed) == sorted(MilestoneCrossing.objects.values_list("pk", flat=True)) and len(crossed) == 2
    assert all(refresh.period_refresh_mark(period_id=period_id) for period_id in period_ids)
    assert refresh.periods_refresh(period_ids=period_ids) == []  # crossed once


def test_a_lost_refreshs_mark_lets_go_after_its_lifetime(db, campaign, settings, time_machine):
    """The task that would give the mark back was lost: the mark ends after REFRESH_QUEUED_SECONDS, so the next change
    queues a refresh again (a mark without an end would hold back that month's refreshes for good, sweep included).
    Redis keeps its own clock: there the key's time to live is read instead of moving the clock."""
    period_id = DonationFactory(campaign=campaign, amount=1000).period_id
    key = refresh.period_refresh_key(period_id)
    cache.delete(key)
    time_machine.move_to(timezone.now(), tick=False)
    assert refresh.period_refresh_mark(period_id=period_id)
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        ttl = cache._cache.get_client(key).ttl(cache.make_and_validate_key(key))
        assert refresh.REFRESH_QUEUED_SECONDS - 5 <= ttl <= refresh.REFRESH_QUEUED_SECONDS
        return
    time_machine.shift(refresh.REFRESH_QUEUED_SECONDS - 1)
    assert not refresh.period_refresh_mark(period_id=period_id)  # still queued
    time_machine.shift(2)
    assert refresh.period_refresh_mark(period_id=period_id)  # the lost task's mark has ended


def test_a_lost_breakdowns_mark_lets_go_before_the_sweep_looks_for_it(db, campaign, settings, time_machine):
    """A breakdown task that was lost leaves its mark; the sweep queues the breakdown again once BREAKDOWN_GRACE has
    passed, so the mark must have ended by then (one without an end would leave the dashboard's month stale until
    the month closes), and not before two debounce periods, so a stream of gifts queues one breakdown a minute."""
    period_id = DonationFactory(campaign=campaign, amount=1000).period_id
    key = refresh.period_breakdown_key(period_id)
    cache.delete(key)
    time_machine.move_to(timezone.now(), tick=False)
    assert refresh.period_breakdown_mark(period_id=period_id)
    lifetime = refresh.BREAKDOWN_DEBOUNCE_SECONDS * 2
    assert lifetime < tasks.BREAKDOWN_GRACE.total_seconds()
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        ttl = cache._cache.get_client(key).ttl(cache.make_and_validate_key(key))
        assert lifetime - 5 <= ttl <= lifetime
        return
    time_machine.shift(lifetime - 1)
    assert not refresh.period_breakdown_mark(period_id=period_id)  # still queued
    time_machine.shift(2)
    assert refresh.period_breakdown_mark(period_id=period_id)  # the lost task's mark has ended
