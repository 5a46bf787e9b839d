"""Storing the open month's breakdown reads its running figures (fundraising/ledger/tally.py), not the month's gifts:
at 100,000 gifts it costs the queries it costs at two, for every goal kind with the supporters wall on and off, and
PostgreSQL's plans read the ledger only through an index range (the subscriptions ended this month); what it
stores is every column of the full sum (fundraising/ledger/breakdown.py)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fundraising.campaigns.models import Campaign, Period
from fundraising.campaigns.services import period_for
from fundraising.ledger import tally
from fundraising.ledger.breakdown import periods_breakdown
from fundraising.ledger.services import donation_net_expression, period_breakdown_store
from tests import flat_cost
from tests.factories import DonationFactory

COLUMNS = [*tally.MONEY, "monthly_supporters", "new_monthly", "cancelled_monthly", "recurring"]


def store(period, kind, wall):
    """The queries of storing the breakdown after one more gift."""
    Campaign.objects.filter(pk=period.campaign_id).update(goal_kind=kind, supporters_wall=wall)
    Period.objects.filter(pk=period.pk).update(goal_kind=kind)
    DonationFactory(campaign=period.campaign, period=period, amount=300, kind="monthly", stripe_subscription_id="s")
    with CaptureQueriesContext(connection) as queries:
        period_breakdown_store(period_id=period.pk)
    return [query["sql"] for query in queries.captured_queries]


def ended_subscription(campaign, period, name):
    ended = timezone.now() - datetime.timedelta(minutes=1)
    DonationFactory(campaign=campaign, period=period, amount=900, kind="monthly", stripe_subscription_id=name,
                    subscription_ended_at=ended, fee_cover=50)  # fmt: skip


@pytest.mark.postgres
def test_storing_the_breakdown_costs_the_same_at_any_size_of_the_month(db, postgres, campaign):
    period = period_for(campaign=campaign)
    ended_subscription(campaign, period, "sub_gone")
    small = {(kind, wall): store(period, kind, wall) for kind in flat_cost.KINDS for wall in (False, True)}
    flat_cost.bulk_gifts(campaign, flat_cost.GIFTS)
    ended_subscription(campaign, period, "sub_gone_too")
    for kind in flat_cost.KINDS:
        for wall in (False, True):
            large = store(period, kind, wall)
            assert len(large) == len(small[kind, wall]), "\n".join(q[:150] for q in large)
            flat_cost.assert_read_by_index(large)
            assert not [sql for sql in large if "campaigns_donation" in sql and "subscription_ended_at" not in sql]
    plans = [str(flat_cost.ledger_scans(sql)) for sql in large]
    assert any("ledger_donation_ended" in plan for plan in plans)  # the one ledger read: the month's ends
    stored = Period.objects.filter(pk=period.pk).values(*COLUMNS).get()
    assert stored == periods_breakdown(period_ids=[period.pk], net=donation_net_expression())[period.pk]
    assert stored["monthly_supporters"] == flat_cost.GIFTS // 2 + 3  # every second bulk gift, "s" and the two ended
    assert stored["cancelled_monthly"] == 2


def test_the_open_months_breakdown_reads_no_gift_but_the_months_ends(db, campaign):
    period = period_for(campaign=campaign)
    ended_subscription(campaign, period, "sub_gone")
    for amount in (500, 700):
        DonationFactory(campaign=campaign, period=period, amount=amount, kind="monthly", stripe_subscription_id="s")
    with CaptureQueriesContext(connection) as queries:
        period_breakdown_store(period_id=period.pk)
    sqls = [query["sql"] for query in queries.captured_queries if not query["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # The period, its lock, the fold (one statement on PostgreSQL, three on SQLite), the month's ends (the one
    # ledger read), the run-rate, the update.
    assert len(sqls) == (6 if connection.vendor == "postgresql" else 8), "\n".join(sqls)
    ledger = [sql for sql in sqls if "campaigns_donation" in sql]
    assert len(ledger) == 1 and "subscription_ended_at" in ledger[0]
    stored = Period.objects.filter(pk=period.pk).values(*COLUMNS).get()
    assert stored == periods_breakdown(period_ids=[period.pk], net=donation_net_expression())[period.pk]
    assert (stored["monthly_supporters"], stored["new_monthly"], stored["cancelled_monthly"]) == (2, 2, 1)
