"""tally.periods_figures_fold, the refresh's fold of running figures: a month folds to one row, and on PostgreSQL
the months named fold in one statement whatever their number (services.periods_recompute's "folded in one
statement")."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fundraising.campaigns.services import period_for
from fundraising.ledger.models import PeriodTally
from fundraising.ledger.tally import FIGURES, periods_figures_fold
from tests.factories import DonationFactory

MONTHS = [datetime.datetime(2026, month, 10, 12, tzinfo=datetime.UTC) for month in (3, 4, 5)]
JUNE = datetime.datetime(2026, 6, 10, 12, tzinfo=datetime.UTC)


@pytest.mark.postgres
def test_on_postgresql_months_fold_in_one_statement_and_one_without_changes_to_zeros(db, postgres, campaign):
    ids = [DonationFactory(campaign=campaign, paid_at=when, amount=100 * (index + 1)).period_id
           for index, when in enumerate(MONTHS)]  # fmt: skip
    DonationFactory(campaign=campaign, paid_at=MONTHS[0], amount=50)
    empty = period_for(campaign=campaign, when=JUNE).pk
    table = PeriodTally._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        figures = periods_figures_fold(period_ids=[*ids, empty])
    assert [figures[period_id]["raised"] for period_id in ids] == [150, 200, 300]
    assert [figures[period_id]["donors"] for period_id in ids] == [2, 1, 1]
    assert figures[empty] == dict.fromkeys(FIGURES, 0)  # a month without changes folds to zeros, and no row
    assert len([query for query in queries.captured_queries if table in query["sql"]]) == 1
    assert sorted(PeriodTally.objects.values_list("period_id", "folded", "raised")) == sorted(
        [(ids[0], True, 150), (ids[1], True, 200), (ids[2], True, 300)]
    )


def test_a_month_refreshed_again_after_a_new_gift_keeps_no_change_unfolded(db, campaign):
    first = DonationFactory(campaign=campaign, paid_at=MONTHS[0], amount=100)
    periods_figures_fold(period_ids=[first.period_id])
    DonationFactory(campaign=campaign, paid_at=MONTHS[0], amount=200)
    assert periods_figures_fold(period_ids=[first.period_id])[first.period_id]["raised"] == 300
    rows = PeriodTally.objects.filter(period_id=first.period_id).values_list("folded", "raised")
    assert list(rows) == [(True, 300)]  # one folded row: the sweep finds nothing left to refresh


def test_months_fold_together_each_to_one_row_and_one_without_changes_to_zeros(db, campaign):
    march, april = (DonationFactory(campaign=campaign, paid_at=when, amount=amount).period_id
                    for when, amount in ((MONTHS[0], 100), (MONTHS[1], 200)))  # fmt: skip
    DonationFactory(campaign=campaign, paid_at=MONTHS[0], amount=50)
    empty = period_for(campaign=campaign, when=JUNE).pk
    figures = periods_figures_fold(period_ids=[march, empty, april])
    assert figures[empty] == dict.fromkeys(FIGURES, 0)  # on either database, and it stores no row
    assert (figures[march]["raised"], figures[april]["raised"]) == (150, 200)
    rows = PeriodTally.objects.values_list("period_id", "folded", "raised")
    assert sorted(rows) == sorted([(march, True, 150), (april, True, 200)])  # every month's changes went
