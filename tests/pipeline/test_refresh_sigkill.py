"""A worker killed with SIGKILL in the middle of a refresh loses nothing: another worker re-runs it."""

import pytest
from django.db import transaction

from fundraising.campaigns.models import Period
from fundraising.ledger import services as ledger
from tests.factories import DonationFactory
from tests.locks import held_elsewhere, lock_waiters
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


def test_it_loses_no_refresh_when_a_worker_is_killed_mid_task(celery_workers, campaign):
    first = celery_workers(visibility_timeout=3)
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, amount=7700)
    period_id = donation.period_id

    # Hold the period's row lock from another connection so the worker's refresh stops half-way.
    with held_elsewhere(lambda: Period.objects.select_for_update().get(pk=period_id)):
        with transaction.atomic():
            ledger.ledger_changed(period_id=period_id)
        wait_for(lock_waiters, 20, "the worker never started the refresh")
        first.kill()
    assert Period.objects.get(pk=period_id).raised == 0  # the killed worker did not finish it

    # Nobody re-enqueues: the broker hands the unacknowledged message to the next worker.
    celery_workers(visibility_timeout=3)
    wait_for(lambda: Period.objects.get(pk=period_id).raised == 7700, 30, "the refresh was lost")
