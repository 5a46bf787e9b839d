"""A worker holding a delayed, unacknowledged task (the debounced breakdown a gift queues) survives a Redis
restart: it reconnects and takes the next gift's refresh. Celery 5.7 died there (fundraising/celery.py)."""

import pytest
from django.db import transaction

from fundraising.campaigns.models import Period
from fundraising.ledger import services as ledger
from tests.factories import DonationFactory
from tests.worker import RedisServer, broker_use, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


def gift(campaign, amount):
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, amount=amount)
        ledger.ledger_changed(period_id=donation.period_id)  # the pipeline's refresh + debounced breakdown
    return donation


def test_it_survives_a_redis_restart_while_holding_a_delayed_task(celery_workers, campaign, redis_url):
    broker = RedisServer().start()  # a private broker: restarting the shared Redis would hurt others
    try:
        broker_use(broker.url)
        # The worker's cache stays the test's (the refresh's "queued" mark); only its broker restarts.
        worker = celery_workers(extra_env={"CELERY_BROKER_URL": broker.url})
        first = gift(campaign, 1500)
        wait_for(lambda: Period.objects.get(pk=first.period_id).raised == 1500, 30, "the first gift was not counted")
        # The breakdown waits BREAKDOWN_DEBOUNCE_SECONDS in the worker's memory, reserved and unacknowledged.
        wait_for(lambda: "periods_breakdown[" in worker.output(), 10, "the worker never took the delayed breakdown")

        broker.stop()
        broker.start()  # same port, empty: a restart without persistence

        wait_for(lambda: worker.output().count("Connected to ") >= 2 or worker.process.poll() is not None,
                 30, f"the worker never reconnected:\n{worker.output()[-3000:]}")  # fmt: skip
        assert worker.process.poll() is None, f"the worker died:\n{worker.output()[-3000:]}"
        assert "Unrecoverable error" not in worker.output()

        gift(campaign, 2500)  # the next gift's refresh goes through the restarted broker to the same worker
        wait_for(lambda: Period.objects.get(pk=first.period_id).raised == 4000, 30,
                 f"the worker took no task after the restart:\n{worker.output()[-3000:]}")  # fmt: skip
        assert worker.process.poll() is None
    finally:
        broker.stop()
