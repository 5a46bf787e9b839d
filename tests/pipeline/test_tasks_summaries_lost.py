"""fundraising/pipeline/tasks.py periods_summary_lost: which closed months the sweep follows up again. A month is
lost once SUMMARY_GRACE has passed since its close (exactly that old counts), until SUMMARY_HORIZON (exactly that
old still counts); only for organisations that want the summary, never twice, oldest first, `limit` at a time."""

import datetime

from django.utils import timezone

from fundraising.campaigns.models import Period, PeriodSummary
from fundraising.pipeline import tasks
from tests.factories import CampaignFactory, OrganizationFactory

NOW = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


def closed(campaign, month, closed_at):
    start = datetime.date(2025 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return Period.objects.create(campaign=campaign, start=start, end=end, target=100000, closed_at=closed_at)


def test_the_grace_and_the_horizon_are_inclusive(campaign):
    grace = closed(campaign, 1, NOW - tasks.SUMMARY_GRACE)
    closed(campaign, 2, NOW - tasks.SUMMARY_GRACE + SECOND)  # its own task may still come
    horizon = closed(campaign, 3, NOW - tasks.SUMMARY_HORIZON)
    closed(campaign, 4, NOW - tasks.SUMMARY_HORIZON - SECOND)  # history
    closed(campaign, 5, None)  # open
    assert tasks.periods_summary_lost(now=NOW) == [grace.pk, horizon.pk]


def test_a_month_with_its_summary_or_of_an_organisation_that_wants_none_is_not_lost(campaign):
    lost = closed(campaign, 1, NOW - datetime.timedelta(hours=1))
    PeriodSummary.objects.create(period=closed(campaign, 2, NOW - datetime.timedelta(hours=1)))
    quiet = CampaignFactory(organization=OrganizationFactory(summary_email=False), slug="quiet")
    closed(quiet, 1, NOW - datetime.timedelta(hours=1))
    assert tasks.periods_summary_lost(now=NOW) == [lost.pk]


def test_oldest_first_limit_at_a_time_and_now_by_default(campaign):
    periods = [closed(campaign, month, timezone.now() - datetime.timedelta(hours=1)) for month in range(1, 5)]
    assert tasks.periods_summary_lost() == [p.pk for p in periods]
    assert tasks.periods_summary_lost(limit=3) == [p.pk for p in periods[:3]]
    assert tasks.periods_summary_lost(now=NOW) == []  # they closed after NOW
