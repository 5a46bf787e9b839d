"""The full counts of new monthly supporters (the rebuild, the hourly verification, a closed month's breakdown) join by
hash on PostgreSQL: with 50,000 monthly gifts in a month and an earlier month anywhere in the database, the planner's
nested loop read the campaign's whole history once per gift (over 16 minutes; a test run hung on it). Each statement
here runs under a 20 s statement timeout, so that plan fails the test instead of hanging it."""

import datetime

import pytest
from django.db import connection

from fundraising.campaigns.models import Period
from fundraising.ledger.breakdown import period_streams
from fundraising.ledger.services import donation_net_expression
from fundraising.ledger.verify import new_streams_by_period, tallies_rebuild
from tests import flat_cost
from tests.factories import CampaignFactory


@pytest.mark.postgres
def test_new_supporters_are_counted_by_hash_join_beside_earlier_months(postgres, campaign):
    other = CampaignFactory(slug="other")
    Period.objects.create(campaign=other, start=datetime.date(2020, 1, 1), end=datetime.date(2020, 1, 31), target=1)
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '20s'")
    try:
        period = flat_cost.bulk_gifts(campaign, flat_cost.GIFTS)  # ANALYZE, then tallies_rebuild
        assert new_streams_by_period(period_ids=[period.pk]) == {period.pk: flat_cost.GIFTS // 2}
        tallies_rebuild(period_ids=[period.pk])
        figures = period_streams(Period.objects.select_related("campaign").get(pk=period.pk), donation_net_expression())
        assert (figures["monthly_supporters"], figures["new_monthly"]) == (flat_cost.GIFTS // 2, flat_cost.GIFTS // 2)
        with connection.cursor() as cursor:
            cursor.execute("SHOW enable_nestloop")
            assert cursor.fetchone() == ("on",)  # put back for whatever the connection runs next
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
