"""Ledger changes in a burst queue one refresh of the period, and a change during a refresh queues another."""

import pytest
from django.db import transaction

from fundraising.campaigns.models import Period
from fundraising.celery import app
from fundraising.ledger import services as ledger
from fundraising.pipeline import refresh, tasks
from tests.factories import DonationFactory
from tests.worker import queue_purge


def queued():
    with app.connection_for_write() as conn:
        return conn.default_channel.queue_declare("refresh", passive=False).message_count


@pytest.fixture
def broker_queue(settings):
    """The configured broker (Redis, or the in-memory one) with eager execution off, emptied around the test."""
    app.conf.task_always_eager = False
    queue_purge()
    yield
    queue_purge()
    app.conf.task_always_eager = True


def change(period):
    with transaction.atomic():
        ledger.ledger_changed(period_id=period.pk)


def test_it_queues_one_refresh_for_a_burst(transactional_db, campaign, broker_queue):
    period = DonationFactory(campaign=campaign, amount=1000).period
    for _ in range(100):
        change(period)
    assert queued() == 1
    assert Period.objects.get(pk=period.pk).raised == 0  # nothing ran in-process

    tasks.period_refresh_task(period.pk)  # what the worker does with that one message
    assert Period.objects.get(pk=period.pk).raised == 1000


def test_it_queues_again_for_a_change_during_a_running_refresh(transactional_db, campaign, broker_queue):
    period = DonationFactory(campaign=campaign, amount=1000).period
    change(period)
    assert queued() == 1
    refresh.period_refresh_started(period_id=period.pk)  # a worker picked it up and is reading the ledger
    DonationFactory(campaign=campaign, amount=500)
    change(period)
    assert queued() == 2
