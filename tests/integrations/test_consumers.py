"""fundraising/integrations/consumers.py: the journal entries that become outgoing events, read as they are stored
(JSON), including the cases a webhook does not always give: a cancelled subscription without an end time."""

from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from fundraising.campaigns.services import period_for
from fundraising.integrations import consumers, events
from fundraising.integrations.models import Delivery, Endpoint
from fundraising.journal import dispatch
from fundraising.journal.models import Entry
from fundraising.ledger import services as ledger
from tests.factories import CampaignFactory, DonationFactory


@pytest.fixture
def queued():
    with mock.patch.object(events.tasks, "delivery_queue") as queue:
        yield queue


def test_a_subscription_ended_without_an_end_time_is_announced_with_none(db, queued):
    campaign = CampaignFactory(slug="lights")
    Endpoint.objects.create(campaign=campaign, url="https://h.example.org/", events=["subscription.cancelled"])
    consumers.subscriptions_ended(
        [
            Entry(campaign_id=campaign.pk, data={"subscription_id": "sub_1", "ended_at": None}),
            Entry(campaign_id=campaign.pk, data={"subscription_id": "sub_2", "ended_at": "2026-11-05T14:03:09Z"}),
        ]
    )
    documents = {d.event_key: d.payload["data"] for d in Delivery.objects.all()}
    assert documents == {
        "subscription.cancelled:sub_1": {"subscription": "sub_1", "ended_at": None},
        "subscription.cancelled:sub_2": {"subscription": "sub_2", "ended_at": "2026-11-05T14:03:09Z"},
    }


@pytest.mark.parametrize("closed_as", ["failed", "expired"])
def test_a_gift_paid_after_its_session_closed_unpaid_is_announced_once(transactional_db, queued, closed_as):
    """The row counts from the moment it is paid (raised, receipt), whatever it was before: the owner's endpoint
    is told as for any gift, once."""
    campaign = CampaignFactory(slug="lights")
    Endpoint.objects.create(campaign=campaign, url="https://h.example.org/", events=["donation.succeeded"])
    with transaction.atomic():
        gift = DonationFactory(campaign=campaign, status="pending", paid_at=None, amount=2500)
    with transaction.atomic():
        gift.status = closed_as
        ledger.donation_settle(donation=gift)
    assert not Delivery.objects.exists()
    with transaction.atomic():
        gift.paid_at = timezone.now()
        gift.period = period_for(campaign=campaign)
        ledger.donation_settle(donation=gift)
    [delivery] = Delivery.objects.all()
    assert (delivery.event_type, delivery.payload["data"]["status"], delivery.payload["data"]["amount"]) == (
        "donation.succeeded",
        "succeeded",
        2500,
    )
    dispatch.entries_dispatch(entries=list(Entry.objects.filter(donation_id=gift.pk)))  # dispatched again
    assert Delivery.objects.count() == 1


def test_two_refunds_dispatched_together_are_two_events(db, queued):
    """The journal's sweep may dispatch both entries after the second refund: each new refunded total still gets
    its own event, keyed by the total its entry recorded (the gift itself only shows the last one)."""
    campaign = CampaignFactory(slug="lights")
    Endpoint.objects.create(campaign=campaign, url="https://h.example.org/", events=["donation.refunded"])
    gift = DonationFactory(campaign=campaign, amount=5000, amount_refunded=2500, status="partially_refunded")
    consumers.donations_refunded(
        [Entry(donation_id=gift.pk, data={"amount_refunded": total}) for total in (1000, 2500)]
    )
    keys = sorted(Delivery.objects.values_list("event_key", flat=True))
    assert keys == [f"donation.refunded:{gift.pk}:1000", f"donation.refunded:{gift.pk}:2500"]
