"""fundraising/pipeline/refresh.py on PostgreSQL: a batch refresh locks its campaigns in id order, whatever order the
table keeps them in, so two batches that share campaigns queue instead of deadlocking.

The order is made visible: another transaction holds the campaign with the lower id, the batch waits for it, and the
campaign with the higher id must still be free (a batch locking in table order would already hold it, and a second
batch holding the first campaign and wanting the second would deadlock)."""

import threading
import time

import pytest
from django.db import connection, transaction

from fundraising.campaigns.models import Campaign
from fundraising.campaigns.services import period_for
from fundraising.pipeline import refresh
from tests.factories import CampaignFactory
from tests.locks import held_elsewhere, lock_waiters

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_batch_refresh_locks_its_campaigns_in_id_order(postgres, campaign):
    later = CampaignFactory(slug="later")
    assert campaign.pk < later.pk
    first, second = period_for(campaign=campaign), period_for(campaign=later)
    # PostgreSQL writes an updated row anew at the end of its table: the lower id now comes last in a scan.
    Campaign.objects.filter(pk=campaign.pk).update(title="Keep the lights on, again")
    errors = []

    def batch():
        try:
            refresh.periods_refresh(period_ids=[second.pk, first.pk])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    def hold_first():
        list(Campaign.objects.select_for_update(no_key=True).filter(pk=campaign.pk))

    with held_elsewhere(hold_first):
        refreshing = threading.Thread(target=batch)
        refreshing.start()
        deadline = time.monotonic() + 20
        while lock_waiters() < 1:
            assert time.monotonic() < deadline and refreshing.is_alive(), "the batch never waited"
            time.sleep(0.05)
        with transaction.atomic():  # the higher id is still free: the batch waits at the lower one, holding nothing
            free = Campaign.objects.select_for_update(no_key=True, skip_locked=True).filter(pk=later.pk)
            assert list(free.values_list("pk", flat=True)) == [later.pk]
    refreshing.join(20)
    assert not refreshing.is_alive() and errors == [], errors
