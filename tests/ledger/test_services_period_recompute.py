"""period_recompute stores a month's totals and the time it did (the widgets' `updated_at`), and holds the
month's row only in a mode that lets new gifts of that month be written meanwhile (PostgreSQL)."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from fundraising.campaigns.models import Period
from fundraising.campaigns.services import period_for
from fundraising.ledger.services import period_recompute
from tests.factories import DonationFactory
from tests.locks import held_elsewhere, lock_timeout_short
from tests.races import at_once


def test_it_stores_the_totals_and_when(db, campaign):
    period = period_for(campaign=campaign)
    DonationFactory(campaign=campaign, period=period, amount=700)
    moment = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=3)
    with time_machine.travel(moment, tick=False):
        period_recompute(period_id=period.pk)
    stored = Period.objects.get(pk=period.pk)
    assert (stored.raised, stored.donors, stored.recomputed_at) == (700, 1, moment)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_gift_is_written_while_its_month_is_being_recomputed(postgres, campaign):
    """The recompute locks the month's row FOR NO KEY UPDATE: a new gift's row (and its running figures),
    which only reference the month, are written at once instead of waiting for the recompute to commit."""
    period = period_for(campaign=campaign)
    with held_elsewhere(lambda: period_recompute(period_id=period.pk)):
        with transaction.atomic():
            lock_timeout_short()
            DonationFactory(campaign=campaign, period=period, amount=300)
    assert period_recompute(period_id=period.pk).raised == 300


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_first_gifts_of_a_month_at_once_create_one_month(postgres, campaign):
    """The first gifts of a new month arrive together: each process finds or creates the month, none fails,
    and there is one month row."""
    when = timezone.now() + datetime.timedelta(days=62)

    def first_gift():
        with transaction.atomic():
            return period_for(campaign=campaign, when=when).pk

    found = at_once([first_gift] * 4, timeout=30)  # fails when any of them raised
    assert len(found) == 4 and len(set(found)) == 1
    assert Period.objects.filter(campaign=campaign, start=period_for(campaign=campaign, when=when).start).count() == 1
