"""donation.succeeded for a drain's batch of gifts: one query when no campaign of the lot has an endpoint taking
it, and otherwise one delivery per gift of a listening campaign, keyed as donation_event keys it. The same for a
month-end's closed months (period.closed); one gift's or one crossing's event reads its row with what it names
in one query."""

import datetime
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fundraising.campaigns.models import MilestoneCrossing
from fundraising.campaigns.services import period_for
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


def test_a_batch_costs_two_reads_however_many_gifts(db):
    listening = CampaignFactory()
    for url in ("https://a.example/hook", "https://b.example/hook"):
        Endpoint.objects.create(campaign=listening, url=url, events=["donation.succeeded"])
    gifts = [DonationFactory(campaign=listening, amount=amount).pk for amount in (500, 700, 900)]
    with mock.patch.object(events.tasks, "delivery_queue"), CaptureQueriesContext(connection) as queries:
        created = events.donations_event(donation_ids=gifts, event_type="donation.succeeded")
    reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) == 2, reads  # the endpoints, then the gifts with their campaigns and months; none per gift
    assert len(created) == 6 and Delivery.objects.count() == 6


MONTHS = [datetime.datetime(2026, month, 10, tzinfo=datetime.UTC) for month in (9, 10, 11)]


def test_closed_months_without_a_subscriber_in_the_lot_cost_one_query(db):
    Endpoint.objects.create(campaign=CampaignFactory(), url="https://h.example.org/", events=["period.closed"])
    months = [period_for(campaign=CampaignFactory(), when=when).pk for when in MONTHS]  # not the listener's campaigns
    with CaptureQueriesContext(connection) as queries:
        assert events.periods_event(period_ids=months) == []
    assert len(queries) == 1


def test_closed_months_cost_two_reads_however_many_and_each_delivery_is_returned(db):
    listening, deaf = CampaignFactory(), CampaignFactory()
    for url in ("https://a.example/hook", "https://b.example/hook"):
        Endpoint.objects.create(campaign=listening, url=url, events=["period.closed"])
    months = [period_for(campaign=listening, when=when).pk for when in MONTHS]
    months.append(period_for(campaign=deaf, when=MONTHS[0]).pk)
    with mock.patch.object(events.tasks, "delivery_queue"), CaptureQueriesContext(connection) as queries:
        created = events.periods_event(period_ids=months)
    reads = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) == 2, reads  # the endpoints, then the months with their campaigns; no read per month
    assert sorted(created) == sorted(Delivery.objects.values_list("pk", flat=True)) and len(created) == 6
    assert sorted(Delivery.objects.values_list("event_key", flat=True)) == sorted(
        f"period.closed:{pk}" for pk in months[:3] for _ in range(2)
    )


def reads_of(publish):
    with mock.patch.object(events.tasks, "delivery_queue"), CaptureQueriesContext(connection) as queries:
        created = publish()
    return created, [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]


def test_one_gifts_event_reads_the_gift_with_its_campaign_and_month_then_the_endpoints(db):
    campaign = CampaignFactory()
    Endpoint.objects.create(campaign=campaign, url="https://a.example/hook", events=["donation.refunded"])
    gift = DonationFactory(campaign=campaign, amount=500)
    created, reads = reads_of(lambda: events.donation_event(donation_id=gift.pk, event_type="donation.refunded"))
    assert len(created) == 1 and len(reads) == 2, reads


def test_one_crossings_event_reads_the_crossing_with_its_month_and_campaign_then_the_endpoints(db):
    campaign = CampaignFactory()
    Endpoint.objects.create(campaign=campaign, url="https://a.example/hook", events=["milestone.reached"])
    crossing = MilestoneCrossing.objects.create(period=period_for(campaign=campaign), amount=1000, label="A start")
    created, reads = reads_of(lambda: events.milestone_event(crossing_id=crossing.pk))
    assert len(created) == 1 and len(reads) == 2, reads
