"""fundraising/pipeline/refresh.py on PostgreSQL: refreshes of one campaign run one at a time (the one that sums
the ledger last writes the widget last), and a refresh holding its campaign never holds back a new gift."""

import datetime

import pytest
from django.db import OperationalError, transaction

from fundraising.campaigns.models import Period
from fundraising.campaigns.services import period_for
from fundraising.pipeline import refresh
from tests.factories import CampaignFactory, DonationFactory
from tests.locks import held_elsewhere, lock_timeout_short

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REFRESHES = {
    "one": lambda period_id: refresh.period_refresh(period_id=period_id),
    "batch": lambda period_id: refresh.periods_refresh(period_ids=[period_id]),
}


def months(campaign):
    """Two months of one campaign: two refreshes that share no period row, only the campaign."""
    now = datetime.datetime.now(tz=datetime.UTC)
    earlier = now - datetime.timedelta(days=40)
    return period_for(campaign=campaign, when=now), period_for(campaign=campaign, when=earlier)


@pytest.mark.parametrize("holder", REFRESHES)
@pytest.mark.parametrize("waiter", REFRESHES)
def test_a_refresh_waits_for_another_of_the_same_campaign(postgres, campaign, holder, waiter):
    current, earlier = months(campaign)
    with held_elsewhere(lambda: REFRESHES[holder](current.pk)):
        with pytest.raises(OperationalError, match="lock timeout"), transaction.atomic():
            lock_timeout_short()
            REFRESHES[waiter](earlier.pk)


@pytest.mark.parametrize("holder", REFRESHES)
def test_a_refresh_holds_back_neither_a_new_gift_nor_another_campaign(postgres, campaign, holder):
    current, _ = months(campaign)
    other = period_for(campaign=CampaignFactory(slug="other"))
    with held_elsewhere(lambda: REFRESHES[holder](current.pk)):
        with transaction.atomic():
            lock_timeout_short()
            DonationFactory(campaign=campaign, period=current, amount=300)
            REFRESHES[holder](other.pk)
    refresh.periods_refresh(period_ids=[current.pk])
    assert Period.objects.get(pk=current.pk).raised == 300
