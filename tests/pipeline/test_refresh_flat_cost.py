"""A period's refresh (totals, widget, wall, milestones) costs the same at any size of the month, for every
goal kind, with the supporters wall on and off: a fixed number of queries, and PostgreSQL's plans read the
month's gifts only through an index that stops early (never a sequential or bitmap scan of the month)."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fundraising.campaigns.models import Campaign, GoalKind, Period
from fundraising.campaigns.services import period_for
from fundraising.ledger.services import period_recompute
from fundraising.ledger.verify import tallies_rebuild
from fundraising.pipeline.refresh import period_refresh
from fundraising.widgets.wall import WALL_SIZE
from tests.factories import DonationFactory

GIFTS = 100_000
LEDGER = "campaigns_donation"
# The ledger, and the run-rate's stream states (one per monthly subscription of the month: as many as its gifts).
READ_BY_INDEX = {LEDGER, "ledger_recurringstream", "ledger_recurringmonth"}
# What a plan may read of the month's gifts, at most, in one scan node (the wall reads WALL_SIZE).
ROWS_READ_AT_MOST = 5 * WALL_SIZE
KINDS = [GoalKind.AMOUNT, GoalKind.SUPPORTERS, GoalKind.RECURRING]


def bulk_gifts(campaign, count):
    """`count` paid gifts in the current month, half of them monthly (each its own subscription), written by
    PostgreSQL itself; then the running figures rebuilt from them, as bench/scale.py does."""
    period = period_for(campaign=campaign)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO campaigns_donation (id, campaign_id, period_id, amount, currency, kind, status,
                amount_refunded, amount_disputed, dispute_status, public_name, anonymous, message, donor_email,
                stripe_charge_id, stripe_subscription_id, paid_at, created_at, updated_at, source, method, note,
                message_hidden, reversed)
            SELECT gen_random_uuid(), %s, %s, 1000 + n %% 500, 'usd',
                CASE WHEN n %% 2 = 0 THEN 'monthly' ELSE 'one_time' END, 'succeeded', 0, 0, '', 'Ada', false,
                '', 'd' || n || '@x.org', '', CASE WHEN n %% 2 = 0 THEN 'sub_' || n ELSE '' END,
                now() - interval '1 second' * n, now(), now(), 'stripe', '', '', false, false
            FROM generate_series(1, %s) AS n
            """,
            [campaign.pk, period.pk, count],
        )
        cursor.execute("ANALYZE campaigns_donation")
    tallies_rebuild(period_ids=[period.pk])
    return period


CURSOR = re.compile(r"\s*DECLARE\s.*?\sCURSOR\s(?:WITH(?:OUT)?\sHOLD\s)?FOR\s(.*)", re.DOTALL | re.IGNORECASE)


def plan_nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def ledger_scans(sql):
    """The plan's nodes that read the ledger or the run-rate's running figures (EXPLAIN ANALYZE for reads, so the
    rows really read count)."""
    declared = CURSOR.match(sql)  # QuerySet.iterator() on PostgreSQL: a server-side cursor over a SELECT
    sql = declared.group(1) if declared else sql
    verb = sql.lstrip().split(None, 1)[0].upper()
    if verb not in ("SELECT", "UPDATE", "INSERT", "DELETE", "WITH"):
        return []
    options = "ANALYZE, FORMAT JSON" if verb == "SELECT" else "FORMAT JSON"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({options}) {sql}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return [node for node in plan_nodes(plan[0]["Plan"]) if node.get("Relation Name") in READ_BY_INDEX]


def refresh(period, kind, wall):
    """The queries of the refresh that follows one more gift (milestones crossed by the load are recorded
    by a refresh before it, so both sizes measure the same work)."""
    # A goal of 1 that both sizes pass: the milestones' work is the same at both.
    Campaign.objects.filter(pk=period.campaign_id).update(goal_kind=kind, supporters_wall=wall, monthly_target=1)
    Period.objects.filter(pk=period.pk).update(goal_kind=kind, target=1)
    period_refresh(period_id=period.pk)
    DonationFactory(campaign=period.campaign, period=period, amount=300, kind="monthly", stripe_subscription_id="s")
    with CaptureQueriesContext(connection) as queries:
        period_refresh(period_id=period.pk)
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.postgres
@pytest.mark.parametrize("wall", [False, True], ids=["wall-off", "wall-on"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_refresh_costs_the_same_at_any_size_of_the_month(db, postgres, campaign, kind, wall):
    period = period_for(campaign=campaign)
    for amount in (500, 700):
        DonationFactory(campaign=campaign, period=period, amount=amount, kind="monthly", stripe_subscription_id="s")
    small = refresh(period, kind, wall)
    bulk_gifts(campaign, GIFTS)
    large = refresh(period, kind, wall)
    assert len(large) == len(small), "\n".join(q[:150] for q in ["SMALL", *small, "LARGE", *large])
    for sql in large:
        for node in ledger_scans(sql):
            # The running figures' few rows may come by a bitmap of one index range: their count is bounded below.
            shapes = (
                "Index Scan",
                "Index Only Scan",
                *(("Bitmap Heap Scan",) if node["Relation Name"] != LEDGER else ()),
            )
            assert node["Node Type"] in shapes, (node["Node Type"], sql)
            read = sum(
                node.get(rows, 0) for rows in ("Actual Rows", "Rows Removed by Filter", "Rows Removed by Index Recheck")
            )
            assert read <= ROWS_READ_AT_MOST, (read, sql)
    if wall:
        assert any("ledger_donation_wall_standing" in json.dumps(ledger_scans(sql)) for sql in large)
    stored = period_recompute(period_id=period.pk)
    raised = sum(1000 + n % 500 for n in range(1, GIFTS + 1)) + 500 + 700 + 300 + 300
    assert (stored.raised, stored.donors) == (raised, GIFTS + 4)  # each factory gift has its own e-mail
    if kind == GoalKind.SUPPORTERS:
        assert stored.goal_current == GIFTS // 2 + 1  # every second bulk gift a subscription, and "s"
