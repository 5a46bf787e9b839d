"""A period's refresh (totals, widget, wall, milestones) costs the same at any size of the month, for every
goal kind, with the supporters wall on and off: a fixed number of queries, and PostgreSQL's plans read the
month's gifts only through an index that stops early (never a sequential or bitmap scan of the month)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fundraising.campaigns.models import Campaign, GoalKind, Period
from fundraising.campaigns.services import period_for
from fundraising.ledger.services import period_recompute
from fundraising.pipeline.refresh import period_refresh
from tests import flat_cost
from tests.factories import DonationFactory

GIFTS = flat_cost.GIFTS
KINDS = flat_cost.KINDS
bulk_gifts, ledger_scans = flat_cost.bulk_gifts, flat_cost.ledger_scans


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
def test_a_refresh_costs_the_same_at_any_size_of_the_month(db, postgres, campaign):
    """One month of 100,000 gifts, built once, serves every goal kind with the wall on and off (the load is the
    slow part); each case measures against the same case at two gifts."""
    period = period_for(campaign=campaign)
    for amount in (500, 700):
        DonationFactory(campaign=campaign, period=period, amount=amount, kind="monthly", stripe_subscription_id="s")
    cases = [(kind, wall) for kind in KINDS for wall in (False, True)]
    small = {case: refresh(period, *case) for case in cases}
    bulk_gifts(campaign, GIFTS)
    for kind, wall in cases:
        large = refresh(period, kind, wall)
        assert len(large) == len(small[kind, wall]), "\n".join(
            q[:150] for q in [f"{kind} wall={wall}", "SMALL", *small[kind, wall], "LARGE", *large]
        )
        flat_cost.assert_read_by_index(large)
        if wall:
            assert any("ledger_donation_wall_standing" in json.dumps(ledger_scans(sql)) for sql in large), kind
        stored = period_recompute(period_id=period.pk)
        if kind == GoalKind.SUPPORTERS:
            assert stored.goal_current == GIFTS // 2 + 1  # every second bulk gift a subscription, and "s"
    # Each refresh() gave one more gift of 300 (its own e-mail each).
    raised = sum(1000 + n % 500 for n in range(1, GIFTS + 1)) + 500 + 700 + 300 * 2 * len(cases)
    assert (stored.raised, stored.donors) == (raised, GIFTS + 2 + 2 * len(cases))
