"""Through a real worker: a ledger change and a signed Stripe event both reach the widget snapshot."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from fundraising.campaigns.models import Period
from fundraising.ledger import services as ledger
from tests.factories import DonationFactory
from tests.stripe_standin import events
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


def snapshot_raised(slug):
    path = Path(settings.WIDGET_ROOT) / "current" / f"{slug}.json"
    return json.loads(path.read_bytes())["raised"] if path.exists() else None


def test_it_refreshes_the_snapshot_after_a_ledger_change(celery_worker, campaign, client):
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, amount=4200)
        ledger.ledger_changed(period_id=donation.period_id)
    assert Period.objects.get().raised == 0  # not in-process: the worker does it

    wait_for(lambda: snapshot_raised("lights") == 4200, 20, "the snapshot file never showed 4200")
    # The file is written inside the refresh's transaction (so refreshes of one campaign stay in order);
    # the period row it was drawn from commits a moment later.
    wait_for(lambda: Period.objects.get().raised == 4200, 5, "the period total never committed")
    assert client.get("/w/lights.json").json()["raised"] == 4200


def test_it_takes_a_signed_webhook_event_to_the_snapshot(celery_worker, campaign, client):
    for amount in (1000, 2500):
        evt = events.event("checkout.session.completed", events.checkout_session(amount=amount, campaign="lights"))
        assert events.post_event(client, evt).status_code == 200

    wait_for(lambda: snapshot_raised("lights") == 3500, 20, "the snapshot file never showed 3500")
    assert client.get("/w/lights.json").json()["formatted"]["raised"] == "35 $"
