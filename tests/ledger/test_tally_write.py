"""Edges of the running figures' write path (fundraising/ledger/tally.py contribution_move and the nets it keeps):
what the full count (fundraising/ledger/breakdown.py) says at its edges, the running figures say too."""

import datetime

import pytest
import time_machine

from fundraising.ledger.services import donation_settle
from tests.factories import CampaignFactory, DonationFactory
from tests.ledger.breakdown_check import running_breakdown

OCTOBER = datetime.datetime(2026, 10, 15, 12, tzinfo=datetime.UTC)
NOVEMBER = datetime.datetime(2026, 11, 12, 12, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_a_subscription_netting_one_minor_unit_is_a_running_monthly_supporter(campaign):
    with time_machine.travel(NOVEMBER, tick=False):
        gift = DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_a", amount=1000,
                               amount_refunded=999, paid_at=NOVEMBER)  # fmt: skip
        figures = running_breakdown(gift.period_id)
        assert (figures["monthly_supporters"], figures["new_monthly"], figures["monthly_raised"]) == (1, 1, 1)
        gift.amount_refunded = 1000  # the last unit back: no longer a supporter
        donation_settle(donation=gift)
    figures = running_breakdown(gift.period_id)
    assert (figures["monthly_supporters"], figures["new_monthly"], figures["monthly_raised"]) == (0, 0, 0)


@pytest.mark.django_db
def test_a_standing_order_giving_to_another_campaign_earlier_is_still_new_here(organization):
    first = CampaignFactory(organization=organization, slug="first")
    second = CampaignFactory(organization=organization, slug="second")
    with time_machine.travel(NOVEMBER, tick=False):
        DonationFactory(campaign=first, kind="monthly", donor_email="ada@example.com", amount=700, paid_at=OCTOBER)
        here = DonationFactory(campaign=second, kind="monthly", donor_email="ada@example.com", amount=900,
                               paid_at=NOVEMBER)  # fmt: skip
        there = DonationFactory(campaign=first, kind="monthly", donor_email="ada@example.com", amount=700,
                                paid_at=NOVEMBER)  # fmt: skip
    assert running_breakdown(here.period_id)["new_monthly"] == 1  # its first month in this campaign
    assert running_breakdown(there.period_id)["new_monthly"] == 0  # October came first in that one
