"""A drain reads each campaign and month once per slice; what it remembers is per campaign and month,
and is forgotten when a failed batch rolls back what it had created."""

import datetime

import pytest

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.payments import handlers, tasks
from fundraising.payments.models import StripeEvent
from tests.factories import CampaignFactory
from tests.stripe_standin import events

MARCH = int(datetime.datetime(2026, 3, 10, tzinfo=datetime.UTC).timestamp())


def stored(*sessions):
    """Events as the webhook stores them, not yet processed (no drain queued)."""
    records = []
    for session in sessions:
        evt = events.event("checkout.session.completed", session, created=MARCH)
        records.append(StripeEvent.objects.create(stripe_id=evt["id"], type=evt["type"], payload=evt))
    return records


@pytest.mark.django_db(transaction=True)
def test_it_counts_each_campaigns_payment_link_for_that_campaign(campaign):
    CampaignFactory(organization=campaign.organization, slug="roof")
    stored(events.checkout_session(amount=700, campaign="lights"), events.checkout_session(amount=900, campaign="roof"))
    assert tasks.stripe_events_drain_task() == 2
    assert dict(Donation.objects.values_list("campaign__slug", "amount")) == {"lights": 700, "roof": 900}


@pytest.mark.django_db(transaction=True)
def test_it_forgets_a_month_created_in_a_rolled_back_batch(campaign, monkeypatch):
    from fundraising.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    good, bad = stored(events.checkout_session(amount=700), events.checkout_session(amount=900))
    handler = handlers.EVENT_HANDLERS["checkout.session.completed"]

    def flaky(obj, when):
        if obj["id"] == bad.payload["data"]["object"]["id"]:
            raise RuntimeError("cannot apply this one")
        return handler(obj, when)

    monkeypatch.setitem(handlers.EVENT_HANDLERS, "checkout.session.completed", flaky)
    assert not Period.objects.filter(start="2026-03-01").exists()
    # The batch creates March, fails on `bad` and rolls back; then `good` is applied alone, at once.
    assert tasks.stripe_events_drain_task() == 1

    good.refresh_from_db()
    assert (good.attempts, good.error) == (1, "")
    assert good.processed_at is not None
    assert Period.objects.get(start="2026-03-01").raised == 700
