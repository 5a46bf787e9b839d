"""Edges of the running figures' write path (fundraising/ledger/tally.py contribution_move and the nets it keeps):
what the full count (fundraising/ledger/breakdown.py) says at its edges, the running figures say too."""

import datetime

import pytest
import time_machine
from django.db import transaction

from fundraising.campaigns.models import Period
from fundraising.ledger.erasure import donor_erase
from fundraising.ledger.models import PeriodDonorNet
from fundraising.ledger.services import donation_settle, ledger_totals
from fundraising.ledger.tally import period_tally_sum
from tests.factories import CampaignFactory, DonationFactory
from tests.ledger.breakdown_check import assert_breakdown_matches_the_ledger, running_breakdown, summed_breakdown

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


@pytest.mark.django_db
def test_a_gift_without_an_email_refunded_in_full_leaves_the_donors_and_the_monthly_supporters(campaign):
    # Neither an e-mail nor a subscription: a donor and a monthly stream of its own, counted by its own row.
    with time_machine.travel(NOVEMBER, tick=False):
        gift = DonationFactory(campaign=campaign, kind="monthly", donor_email="", amount=1000, paid_at=NOVEMBER)
        period = Period.objects.select_related("campaign").get(pk=gift.period_id)
        gift.amount_refunded = 999  # netting 1 minor unit: still a donor and a (new) monthly supporter
        donation_settle(donation=gift)
        assert period_tally_sum(period_id=period.pk) == ledger_totals(period_id=period.pk) == (1, 1)
        figures = running_breakdown(period.pk)
        assert figures == summed_breakdown(period)
        assert (figures["monthly_supporters"], figures["new_monthly"], figures["monthly_raised"]) == (1, 1, 1)
        gift.amount_refunded = 1000  # the last unit back: neither
        donation_settle(donation=gift)
    assert period_tally_sum(period_id=period.pk) == ledger_totals(period_id=period.pk) == (0, 0)
    figures = running_breakdown(period.pk)
    assert figures == summed_breakdown(period)
    assert (figures["monthly_supporters"], figures["new_monthly"], figures["refunded"]) == (0, 0, 1000)


@pytest.mark.django_db
def test_an_erasure_moves_a_subscribers_gift_to_its_new_key_and_keeps_one_donor(campaign):
    # The erasure changes the gift's e-mail (to a stand-in) and its stream key (the subscription id is blanked, so
    # the stand-in address keys it): one write moves the donor and the stream from one key to another.
    with time_machine.travel(NOVEMBER, tick=False):
        gift = DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_a", amount=1000,
                               donor_email="ada@example.com", paid_at=NOVEMBER)  # fmt: skip
        DonationFactory(campaign=campaign, amount=300, donor_email="grace@example.com", paid_at=NOVEMBER)
        with transaction.atomic():
            assert donor_erase(organization_id=campaign.organization_id, email="ada@example.com") == 1
    assert period_tally_sum(period_id=gift.period_id) == ledger_totals(period_id=gift.period_id) == (1300, 2)
    figures = running_breakdown(gift.period_id)
    assert (figures["monthly_supporters"], figures["new_monthly"], figures["monthly_raised"]) == (1, 1, 1000)
    assert_breakdown_matches_the_ledger()  # the stream's net row is under its new key only


@pytest.mark.django_db
def test_a_donor_netting_one_minor_unit_counts_and_at_zero_leaves_no_row(campaign):
    with time_machine.travel(NOVEMBER, tick=False):
        gift = DonationFactory(campaign=campaign, amount=1000, donor_email="ada@example.com", paid_at=NOVEMBER)
        DonationFactory(campaign=campaign, amount=300, donor_email="grace@example.com", paid_at=NOVEMBER)
        gift.amount_refunded = 999
        donation_settle(donation=gift)
        assert period_tally_sum(period_id=gift.period_id) == ledger_totals(period_id=gift.period_id) == (301, 2)
        gift.amount_refunded = 1000  # the last unit back
        donation_settle(donation=gift)
    assert period_tally_sum(period_id=gift.period_id) == ledger_totals(period_id=gift.period_id) == (300, 1)
    assert list(PeriodDonorNet.objects.values_list("email", "net")) == [("grace@example.com", 300)]
