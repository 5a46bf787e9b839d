"""The sweep's cheap check of open months (tally.periods_drifted, through services.periods_stale): a month whose
stored totals differ from its own folded running figures is stale; a month that agrees with them is not, whatever
other months hold. And tally.period_tally_fold, the one-period fold the refresh benchmark reads."""

import datetime

from fundraising.campaigns.models import Period
from fundraising.campaigns.services import period_for
from fundraising.ledger import services as ledger
from fundraising.ledger.models import PeriodTally
from fundraising.ledger.tally import period_tally_fold
from tests.factories import CampaignFactory, DonationFactory

MARCH = datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)


def test_months_that_agree_with_their_own_folded_figures_are_not_stale(db, organization):
    first = CampaignFactory(organization=organization, slug="first")
    second = CampaignFactory(organization=organization, slug="second")
    a = DonationFactory(campaign=first, amount=1200)
    DonationFactory(campaign=second, amount=700)
    DonationFactory(campaign=second, amount=300)
    for period_id in Period.objects.values_list("pk", flat=True):
        ledger.period_recompute(period_id=period_id)
    assert PeriodTally.objects.filter(folded=True).count() == 2
    assert ledger.periods_stale() == []  # each month compared with its own folded row, not another month's
    Period.objects.filter(pk=a.period_id).update(donors=2)  # a write lost outside the ledger's path
    assert ledger.periods_stale() == [a.period_id]


def test_a_month_with_no_figures_is_stale_only_when_its_stored_totals_are_not_zero(db, campaign):
    period = period_for(campaign=campaign)
    assert not PeriodTally.objects.filter(period=period).exists()
    assert ledger.periods_stale() == []  # nothing folded, nothing stored: it agrees
    Period.objects.filter(pk=period.pk).update(raised=1)
    assert ledger.periods_stale() == [period.pk]
    Period.objects.filter(pk=period.pk).update(raised=0, donors=1)
    assert ledger.periods_stale() == [period.pk]


def test_a_closed_month_is_never_drifted(db, campaign):
    march = period_for(campaign=campaign, when=MARCH)
    DonationFactory(campaign=campaign, period=march, paid_at=MARCH, amount=500)
    ledger.period_recompute(period_id=march.pk)
    Period.objects.filter(pk=march.pk).update(raised=9, closed_at=MARCH + datetime.timedelta(days=30))
    assert ledger.periods_stale() == []  # closed months are checked by their recompute time, not their figures


def test_period_tally_fold_folds_one_month_and_returns_raised_donors_and_streams(db, campaign):
    gift = DonationFactory(campaign=campaign, amount=800, kind="monthly", stripe_subscription_id="sub_a")
    DonationFactory(campaign=campaign, period_id=gift.period_id, amount=200)
    elsewhere = DonationFactory(campaign=campaign, paid_at=MARCH, amount=50)
    assert period_tally_fold(period_id=gift.period_id) == (1000, 2, 1)
    assert list(PeriodTally.objects.filter(period_id=gift.period_id).values_list("folded", "raised")) == [(True, 1000)]
    assert not PeriodTally.objects.filter(period_id=elsewhere.period_id, folded=True).exists()  # only the month named


def test_a_month_with_changes_no_refresh_folded_is_stale_once(db, campaign):
    first = DonationFactory(campaign=campaign, paid_at=MARCH, amount=100)
    DonationFactory(campaign=campaign, paid_at=MARCH, amount=200)
    DonationFactory(campaign=campaign, paid_at=MARCH, amount=300)
    assert PeriodTally.objects.filter(period_id=first.period_id, folded=False).count() == 3
    assert ledger.periods_stale() == [first.period_id]  # the month's id, once, not one per change row
