"""A dispatch that touches many periods (a drain's gifts spread over campaigns) shares its tasks: refreshes go
REFRESHES_PER_TASK to a task, refreshed together, and the breakdowns in one; when the batch fails each period is
refreshed alone, and one that fails again gets its own retrying task while the others are refreshed."""

from unittest import mock

from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fundraising.campaigns.models import Period
from fundraising.pipeline import refresh, tasks
from fundraising.widgets.services import entry_key
from tests.factories import CampaignFactory, DonationFactory
from tests.goal_kinds import SETUPS


def gifts(count, amount=700):
    """`count` campaigns with one gift each, their refreshes not run (as the drain leaves them)."""
    with (
        mock.patch.object(tasks.periods_refresh_task, "apply_async"),
        mock.patch.object(tasks.periods_breakdown, "apply_async"),
        transaction.atomic(),
    ):
        return [DonationFactory(campaign=CampaignFactory(), amount=amount).period_id for _ in range(count)]


def test_a_dispatch_of_many_periods_queues_few_tasks(db):
    period_ids = gifts(30)
    for period_id in period_ids:  # the marks of the gifts' own dispatches, as if their tasks had run
        refresh.period_refresh_started(period_id=period_id)
        refresh.period_breakdown_started(period_id=period_id)
    with (
        mock.patch.object(tasks.periods_refresh_task, "apply_async") as refreshes,
        mock.patch.object(tasks.periods_breakdown, "apply_async") as breakdowns,
    ):
        assert tasks.periods_refresh_enqueue(period_ids=period_ids) == period_ids
        assert tasks.periods_breakdown_enqueue(period_ids=period_ids) == period_ids
        assert tasks.periods_refresh_enqueue(period_ids=period_ids) == []  # queued already: they coalesce
    assert [call.args[0][0] for call in refreshes.call_args_list] == [period_ids[:25], period_ids[25:]]
    assert [call.args[0][0] for call in breakdowns.call_args_list] == [period_ids]

    with mock.patch.object(refresh, "period_refresh", side_effect=AssertionError("one at a time")):
        tasks.periods_refresh_task(period_ids)  # together: one transaction, the widgets in two queries
    tasks.periods_breakdown(period_ids)
    periods = Period.objects.filter(pk__in=period_ids)
    assert {(p.raised, p.donors, p.one_time_raised) for p in periods} == {(700, 1, 700)}


def test_a_failing_refresh_goes_to_its_own_task_and_the_others_run(db):
    period_ids = gifts(3, amount=900)
    real, real_many = refresh.period_recompute, refresh.periods_recompute

    def recompute_or_fail(*, period_id):
        if period_id == period_ids[1]:
            raise RuntimeError("database hiccup")
        return real(period_id=period_id)

    def recompute_many_or_fail(*, period_ids):
        for period_id in period_ids:
            recompute_or_fail(period_id=period_id)
        return real_many(period_ids=period_ids)

    with (
        mock.patch.object(refresh, "period_recompute", side_effect=recompute_or_fail),
        mock.patch.object(refresh, "periods_recompute", side_effect=recompute_many_or_fail),
        mock.patch.object(tasks.period_refresh_task, "delay") as own,
    ):
        tasks.periods_refresh_task(period_ids)
    own.assert_called_once_with(period_ids[1])
    raised = dict(Period.objects.filter(pk__in=period_ids).values_list("pk", "raised"))
    assert raised == {period_ids[0]: 900, period_ids[1]: 0, period_ids[2]: 900}
    tasks.period_refresh_task(period_ids[1])  # its own task, retried
    assert Period.objects.get(pk=period_ids[1]).raised == 900


def goal_campaigns():
    """One campaign of each goal kind with its gifts (tests/goal_kinds.py), their refreshes not run."""
    with (
        mock.patch.object(tasks.periods_refresh_task, "apply_async"),
        mock.patch.object(tasks.periods_breakdown, "apply_async"),
        transaction.atomic(),
    ):
        periods = {}
        for kind, (target, given, _) in SETUPS.items():
            campaign = CampaignFactory(goal_kind=kind, monthly_target=target)
            periods[kind] = [DonationFactory(campaign=campaign, **fields) for fields in given][0].period_id
        return periods


def test_a_batch_stores_each_goals_figure_as_a_refresh_alone_would(db):
    periods = goal_campaigns()
    tasks.periods_refresh_task(list(periods.values()))
    for kind, period_id in periods.items():
        assert Period.objects.get(pk=period_id).goal_current == SETUPS[kind][2], kind
        entry = cache.get(entry_key(Period.objects.get(pk=period_id).campaign.slug))
        assert entry["snapshot"]["goal"]["current"] == SETUPS[kind][2], kind


def test_a_batch_costs_the_same_round_trips_for_three_periods_or_twelve(db):
    def round_trips(count):
        period_ids = gifts(count)
        with CaptureQueriesContext(connection) as queries:
            refresh.periods_refresh(period_ids=period_ids)
        assert set(Period.objects.filter(pk__in=period_ids).values_list("raised", flat=True)) == {700}
        return len(queries)

    assert round_trips(12) == round_trips(3)


def test_a_batch_reads_its_campaigns_once_and_its_months_only_to_recompute_them(db):
    """The campaigns are read by their lock and the current months by the recompute: the widgets are written from
    those rows (entries_store is given the periods), not from the campaigns and months read again."""
    period_ids = gifts(3)
    with CaptureQueriesContext(connection) as queries:
        refresh.periods_refresh(period_ids=period_ids)
    reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    campaigns = [sql for sql in reads if sql.split(" WHERE ")[0].endswith('FROM "campaigns_campaign"')]
    assert len(campaigns) == 1, campaigns  # the lock
    assert len({period.campaign_id for period in Period.objects.filter(pk__in=period_ids)}) == 3
    for period_id in period_ids:
        assert cache.get(entry_key(Period.objects.get(pk=period_id).campaign.slug))["snapshot"]["raised"] == 700
