"""fundraising/pipeline/tasks.py periods_sweep: a month's breakdown whose debounced task was lost (the broker
down when it was queued, Redis emptied or restarted while the worker held it) is stored by the sweep."""

import datetime
from unittest import mock

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from fundraising.campaigns.models import Period
from fundraising.celery import app
from fundraising.ledger import services as ledger
from fundraising.pipeline import tasks
from tests.factories import DonationFactory


def gift_with_breakdown_lost(campaign, amount, monkeypatch):
    """A gift whose refresh runs and whose breakdown task is lost with Redis's data (its "queued" mark too)."""
    monkeypatch.setattr(tasks.periods_breakdown, "apply_async", lambda *args, **kwargs: None)
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, amount=amount)
        ledger.ledger_changed(period_id=donation.period_id)
    monkeypatch.undo()
    cache.clear()
    return Period.objects.get(pk=donation.period_id)


def test_it_stores_a_breakdown_whose_task_was_lost(transactional_db, campaign, monkeypatch):
    period = gift_with_breakdown_lost(campaign, 1234, monkeypatch)
    assert (period.raised, period.one_time_raised) == (1234, 0)

    tasks.periods_sweep()
    assert Period.objects.get(pk=period.pk).one_time_raised == 0  # within the debounce: its task may still come

    later = timezone.now() + tasks.BREAKDOWN_GRACE + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        tasks.periods_sweep()
    assert Period.objects.get(pk=period.pk).one_time_raised == 1234


def test_it_leaves_a_current_breakdown_alone(transactional_db, campaign):
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, amount=500)
        ledger.ledger_changed(period_id=donation.period_id)
    assert Period.objects.get(pk=donation.period_id).one_time_raised == 500  # eager: the breakdown ran
    later = timezone.now() + tasks.BREAKDOWN_GRACE + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later), \
            mock.patch.object(tasks.periods_breakdown, "apply_async") as queued:  # fmt: skip
        tasks.periods_sweep()
    assert not queued.called
    assert app.conf.task_always_eager
