"""On PostgreSQL, many refreshes racing over one crossing record it and e-mail it exactly once."""

import pytest

from fundraising.campaigns.models import MilestoneCrossing
from fundraising.pipeline import tasks
from tests.factories import DonationFactory, MilestoneFactory
from tests.races import at_once

pytestmark = pytest.mark.postgres


def test_it_fires_a_milestone_exactly_once_under_concurrency(postgres, transactional_db, campaign, mailoutbox):
    MilestoneFactory(campaign=campaign, amount=250000, label="Halfway")
    period = DonationFactory(campaign=campaign, amount=600000).period
    at_once([lambda: tasks.period_refresh_task(period.pk)] * 8, timeout=30)  # fails on any refresh's error
    assert list(MilestoneCrossing.objects.values_list("amount", flat=True)) == [250000, 500000]
    assert sorted(m.subject.split(":")[1].split(" reached")[0].strip() for m in mailoutbox) == ["Halfway", "Target"]
