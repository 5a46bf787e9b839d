"""With the broker down a ledger change still commits; the sweep brings the totals back once it is up."""

import pytest
from django.db import transaction

from fundraising.campaigns.models import Period
from fundraising.celery import app
from fundraising.ledger import services as ledger
from fundraising.pipeline import tasks
from tests.factories import DonationFactory


@pytest.fixture
def broker_down(monkeypatch):
    url = app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    # The producer pool holds connections to the configured broker: use fresh ones, before and after.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    yield
    app.conf.broker_url = url
    app.conf.task_always_eager = True


def test_it_commits_the_ledger_and_sweeps_later(transactional_db, campaign, broker_down, caplog, monkeypatch):
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, amount=1234)
        ledger.ledger_changed(period_id=donation.period_id)
    assert "broker unavailable" in caplog.text
    assert Period.objects.get(pk=donation.period_id).raised == 0

    app.conf.task_always_eager = True  # the broker is back (in-process here)
    tasks.periods_sweep()
    assert Period.objects.get(pk=donation.period_id).raised == 1234
    assert ledger.periods_stale() == []


def test_it_finds_nothing_to_do_when_totals_are_current(db, campaign):
    with transaction.atomic():
        DonationFactory(campaign=campaign, amount=500)
    period = Period.objects.get()
    ledger.period_recompute(period_id=period.pk)
    assert ledger.periods_stale() == []
