"""What the flat-cost tests share (PostgreSQL): a month of 100,000 gifts written by PostgreSQL itself, and the plan
nodes of a query that read the ledger or the run-rate's running figures (EXPLAIN ANALYZE)."""

import json
import re

from django.db import connection

from fundraising.campaigns.models import GoalKind
from fundraising.campaigns.services import period_for
from fundraising.ledger.verify import tallies_rebuild
from fundraising.widgets.wall import WALL_SIZE

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


def assert_read_by_index(sqls):
    """Each plan reads the ledger and the run-rate's figures through an index, and few rows of them."""
    for sql in sqls:
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
