"""donation.succeeded for a drain's batch of gifts: one query when no campaign of the lot has an endpoint taking
it, and otherwise one delivery per gift of a listening campaign, keyed as donation_event keys it."""

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fundraising.integrations import events
from fundraising.integrations.models import Delivery, Endpoint
from tests.factories import CampaignFactory, DonationFactory


def test_a_batch_without_listeners_costs_one_query(db):
    Endpoint.objects.create(campaign=CampaignFactory(), url="https://h.example.org/", events=["donation.succeeded"])
    gifts = [DonationFactory(campaign=CampaignFactory()).pk for _ in range(5)]  # campaigns other than the listener's
    with CaptureQueriesContext(connection) as queries:
        assert events.donations_event(donation_ids=gifts, event_type="donation.succeeded") == []
    assert len(queries) == 1


def test_a_batch_delivers_to_the_listening_campaigns_only(db):
    listening, deaf, other = CampaignFactory(), CampaignFactory(), CampaignFactory()
    Endpoint.objects.create(campaign=listening, url="https://a.example/hook", events=["donation.succeeded"])
    Endpoint.objects.create(campaign=other, url="https://b.example/hook", events=["donation.refunded"])
    gifts = [DonationFactory(campaign=c, amount=a) for c, a in ((listening, 500), (deaf, 700), (other, 900),
                                                                (listening, 1100))]  # fmt: skip
    with mock.patch.object(events.tasks, "delivery_queue"):
        created = events.donations_event(donation_ids=[g.pk for g in gifts], event_type="donation.succeeded")
        assert events.donations_event(donation_ids=[g.pk for g in gifts], event_type="donation.succeeded") == []
    deliveries = Delivery.objects.filter(pk__in=created).order_by("created_at")
    assert [d.event_key for d in deliveries] == [f"donation.succeeded:{gifts[0].pk}:0",
                                                 f"donation.succeeded:{gifts[3].pk}:0"]  # fmt: skip
    assert [d.payload["data"]["amount"] for d in deliveries] == [500, 1100]
    assert Delivery.objects.count() == 2
