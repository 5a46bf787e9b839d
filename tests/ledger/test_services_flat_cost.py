"""A refresh and the stale-period sweep read the running figures, never the ledger, so their cost does not
grow with the number of donations."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fundraising.ledger.services import period_recompute, periods_stale
from tests.factories import DonationFactory


def ledger_reads(queries):
    return [q["sql"] for q in queries if "campaigns_donation" in q["sql"]]


def test_it_refreshes_totals_without_reading_the_ledger(db, campaign):
    for amount in (500, 700, 900):
        gift = DonationFactory(campaign=campaign, amount=amount)
    with CaptureQueriesContext(connection) as queries:
        period = period_recompute(period_id=gift.period_id)
    assert (period.raised, period.donors) == (2100, 3)
    assert ledger_reads(queries.captured_queries) == []


def test_it_sweeps_only_what_changed_since_the_last_refresh(db, campaign):
    gift = DonationFactory(campaign=campaign, amount=500)
    assert periods_stale() == [gift.period_id]
    period_recompute(period_id=gift.period_id)
    with CaptureQueriesContext(connection) as queries:
        assert periods_stale() == []
    assert len(queries.captured_queries) == 2  # unfolded changes, then open months against their figures
    assert ledger_reads(queries.captured_queries) == []
