"""The sweep finds every period whose stored totals differ from the ledger: open months whatever their
recompute time, and closed months never recomputed or changed since."""

import datetime

from django.utils import timezone

from fundraising.campaigns.models import Period
from fundraising.campaigns.services import period_for
from fundraising.ledger import services as ledger
from fundraising.pipeline import tasks
from tests.factories import DonationFactory

MARCH = datetime.datetime(2026, 3, 10, tzinfo=datetime.UTC)


def test_it_finds_an_open_month_whose_stored_total_is_off(db, campaign):
    period = period_for(campaign=campaign)
    DonationFactory(campaign=campaign, period=period, amount=1234)
    ledger.period_recompute(period_id=period.pk)
    Period.objects.filter(pk=period.pk).update(raised=1)  # a write lost without touching any ledger row
    assert ledger.periods_stale() == [period.pk]
    tasks.periods_sweep()
    assert Period.objects.get(pk=period.pk).raised == 1234


def test_it_finds_a_closed_month_never_recomputed(db, campaign):
    march = period_for(campaign=campaign, when=MARCH)
    DonationFactory(campaign=campaign, period=march, paid_at=MARCH, amount=500)
    Period.objects.filter(pk=march.pk).update(closed_at=timezone.now())
    assert ledger.periods_stale() == [march.pk]


def test_it_finds_a_closed_month_changed_after_its_recompute(db, campaign):
    march = period_for(campaign=campaign, when=MARCH)
    ledger.period_recompute(period_id=march.pk)
    Period.objects.filter(pk=march.pk).update(closed_at=timezone.now())
    DonationFactory(campaign=campaign, period=march, paid_at=MARCH, amount=500)  # a late refund or gift
    assert ledger.periods_stale() == [march.pk]
