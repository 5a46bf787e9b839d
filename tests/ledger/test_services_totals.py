"""Period totals are derived from the ledger, net of refunds and lost disputes."""
import datetime

import pytest

from fundraising.campaigns.services import period_for
from fundraising.ledger.models import Donation
from fundraising.ledger.services import donation_net, period_recompute
from tests.factories import CampaignFactory, DonationFactory


@pytest.fixture
def period(db):
    return period_for(campaign=CampaignFactory())


def gift(period, **kwargs):
    return DonationFactory(campaign=period.campaign, period=period, **kwargs)


def test_it_sums_paid_gifts_and_counts_donors(period):
    gift(period, amount=5000, donor_email="a@example.com")
    gift(period, amount=3000, donor_email="a@example.com")
    gift(period, amount=2000, donor_email="")
    period = period_recompute(period_id=period.pk)
    assert (period.raised, period.donors) == (10000, 2)


def test_it_ignores_pending_failed_and_expired_gifts(period):
    gift(period, amount=5000)
    for status in (Donation.Status.PENDING, Donation.Status.FAILED, Donation.Status.EXPIRED):
        DonationFactory(campaign=period.campaign, amount=700, status=status, paid_at=None)
    assert period_recompute(period_id=period.pk).raised == 5000


def test_it_deducts_refunds_and_lost_disputes_but_not_won_ones(period):
    gift(period, amount=5000, amount_refunded=1500, status=Donation.Status.PARTIALLY_REFUNDED)
    gift(period, amount=3000, amount_refunded=3000, status=Donation.Status.REFUNDED)
    gift(period, amount=2000, amount_disputed=2000, dispute_status="lost", status=Donation.Status.DISPUTED)
    gift(period, amount=1000, amount_disputed=1000, dispute_status="won")
    gift(period, amount=400, amount_disputed=400, dispute_status="open", status=Donation.Status.DISPUTED)
    period = period_recompute(period_id=period.pk)
    assert period.raised == 3500 + 1000
    assert period.donors == 2
    assert sum(donation_net(d) for d in Donation.objects.all()) == period.raised


def test_it_never_goes_below_zero_for_a_refunded_and_disputed_gift(period):
    gift(period, amount=1000, amount_refunded=1000, amount_disputed=1000, dispute_status="lost")
    assert period_recompute(period_id=period.pk).raised == 0


def test_it_keeps_months_apart(db):
    campaign = CampaignFactory()
    june = datetime.datetime(2026, 6, 15, tzinfo=datetime.UTC)
    july = datetime.datetime(2026, 7, 15, tzinfo=datetime.UTC)
    DonationFactory(campaign=campaign, amount=1000, paid_at=june)
    DonationFactory(campaign=campaign, amount=2500, paid_at=july)
    assert period_recompute(period_id=period_for(campaign=campaign, when=june).pk).raised == 1000
    assert period_recompute(period_id=period_for(campaign=campaign, when=july).pk).raised == 2500
