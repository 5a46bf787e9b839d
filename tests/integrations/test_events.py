"""Owners subscribe a URL to events; each is POSTed signed with the endpoint's secret, retried with backoff,
logged, and carries no supporter e-mail unless the owner opted in."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from fundraising.campaigns.services import period_for
from fundraising.integrations.events import event_publish
from fundraising.integrations.models import Delivery, Endpoint
from fundraising.integrations.tasks import MAX_RETRIES
from fundraising.ledger import offline
from fundraising.ledger.models import Donation
from fundraising.ledger.rollover import campaign_rollover
from fundraising.ledger.services import donation_settle
from fundraising.payments.recording import subscription_end_record
from tests.delivery_helpers import deliveries_drain
from tests.factories import CampaignFactory, MilestoneFactory, OrganizationFactory


@pytest.fixture
def endpoint(transactional_db, campaign, receiver):
    return Endpoint.objects.create(
        campaign=campaign,
        url=receiver.url,
        events=[
            "donation.succeeded",
            "donation.refunded",
            "milestone.reached",
            "period.closed",
            "subscription.cancelled",
        ],
        secret="whsec_owner",
    )


def pay(campaign, amount, **fields):
    """A gift as the Stripe handlers settle it: pending row, paid, status derived, announced on commit."""
    with transaction.atomic():
        when = timezone.now()
        donation = Donation.objects.create(campaign=campaign, amount=amount, currency="usd", **fields)
        donation.paid_at, donation.period = when, period_for(campaign=campaign, when=when)
        donation_settle(donation=donation)
    return donation


def documents(receiver, event_type=None):
    return [post.document for post in receiver.posts if event_type in (None, post.event)]


def test_it_posts_a_signed_donation_event_without_the_email(endpoint, receiver):
    donation = pay(endpoint.campaign, 2500, donor_email="ada@example.org", public_name="Ada")
    assert receiver.posts == []  # never inside the request: beat's sweep posts it (no broker here)
    deliveries_drain()
    post = receiver.posts[0]
    assert post.event == "donation.succeeded" and post.signed_with("whsec_owner")
    assert not post.signed_with("whsec_other")
    doc = post.document
    assert (doc["type"], doc["campaign"], doc["data"]["id"], doc["data"]["amount"]) == (
        "donation.succeeded",
        "lights",
        str(donation.pk),
        2500,
    )
    assert "donor_email" not in doc["data"] and "ada@example.org" not in post.body.decode()
    assert doc["data"]["public_name"] == "Ada"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_it_includes_the_email_when_the_owner_opted_in(endpoint, receiver):
    endpoint.include_donor_email = True
    endpoint.save()
    pay(endpoint.campaign, 2500, donor_email="ada@example.org")
    deliveries_drain()
    assert documents(receiver)[0]["data"]["donor_email"] == "ada@example.org"


def test_it_retries_with_backoff_until_delivered(endpoint, receiver):
    receiver.failures = 2
    pay(endpoint.campaign, 2500)
    assert deliveries_drain() == 3
    delivery = Delivery.objects.get()
    assert len(receiver.posts) == 3 and (delivery.status, delivery.attempts) == ("delivered", 3)
    assert len({post.document["id"] for post in receiver.posts}) == 1  # the same event each time


def test_it_gives_up_and_logs_it(endpoint, receiver):
    receiver.failures = 100
    pay(endpoint.campaign, 2500)
    assert deliveries_drain() == MAX_RETRIES + 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", MAX_RETRIES + 1, 500)
    assert delivery.last_error == "answered 500" and len(receiver.posts) == MAX_RETRIES + 1


def test_it_announces_refunds_offline_gifts_milestones_cancellations_and_closed_months(endpoint, receiver, alice):
    campaign = endpoint.campaign
    MilestoneFactory(campaign=campaign, amount=2000, label="First")
    from fundraising.campaigns.services import campaign_sync_open_period

    campaign_sync_open_period(campaign=campaign)
    donation = pay(campaign, 2500, kind="monthly", stripe_subscription_id="sub_9")
    with transaction.atomic():
        donation.amount_refunded = 1000
        donation_settle(donation=donation)
    offline.offline_gift_record(
        campaign=campaign, amount=4000, received_on=timezone.localdate(), method="cheque", recorded_by=alice
    )
    with transaction.atomic():
        ended_at = timezone.now()
        subscription_end_record(subscription={"id": "sub_9"}, ended_at=ended_at)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=40), tick=False):
        campaign_rollover(campaign=campaign)
    deliveries_drain()
    kinds = [post.event for post in receiver.posts]
    assert kinds.count("donation.succeeded") == 2 and kinds.count("donation.refunded") == 1
    assert kinds.count("milestone.reached") == 1 and kinds.count("subscription.cancelled") == 1
    assert kinds.count("period.closed") == 1
    assert documents(receiver, "donation.refunded")[0]["data"]["amount_refunded"] == 1000
    assert [d["data"]["source"] for d in documents(receiver, "donation.succeeded")] == ["stripe", "offline"]
    assert documents(receiver, "milestone.reached")[0]["data"]["label"] == "First"
    cancelled = documents(receiver, "subscription.cancelled")[0]["data"]
    assert cancelled == {"subscription": "sub_9", "ended_at": ended_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    closed = documents(receiver, "period.closed")[0]["data"]
    assert closed["raised"] == 1500 + 4000 and closed["goal"]["kind"] == "amount"


def test_it_sends_each_event_once_per_endpoint(endpoint, receiver):
    for _ in range(2):
        with transaction.atomic():
            event_publish(campaign=endpoint.campaign, event_type="period.closed", key="period.closed:1", data={})
        deliveries_drain()
    assert len(receiver.posts) == 1 and Delivery.objects.count() == 1


def test_it_ignores_events_the_endpoint_did_not_choose_and_inactive_endpoints(endpoint, receiver):
    endpoint.events = ["period.closed"]
    endpoint.save()
    pay(endpoint.campaign, 2500)
    endpoint.events, endpoint.active = ["donation.succeeded"], False
    endpoint.save()
    pay(endpoint.campaign, 2500)
    deliveries_drain()
    assert receiver.posts == []


def test_it_sends_a_test_event_from_the_admin_and_shows_the_log(client, alice, endpoint, receiver):
    client.force_login(alice)
    response = client.post(f"/admin/integrations/endpoint/{endpoint.pk}/send-test/", follow=True)
    assert "Test event queued" in response.content.decode()
    deliveries_drain()
    doc = documents(receiver)[0]
    assert doc["data"]["test"] is True and "donor_email" not in doc["data"]
    page = client.get(f"/admin/integrations/endpoint/{endpoint.pk}/change/").content.decode()
    assert "Send test event" in page and "delivered" in page.lower()
    assert "donation.succeeded" in client.get("/admin/integrations/delivery/").content.decode()


def test_it_keeps_other_organisations_out(client, charlie, endpoint):
    from fundraising.campaigns.services import owner_add

    owner_add(organization=OrganizationFactory(name="Charlie's club"), user=charlie)
    client.force_login(charlie)
    assert client.get(f"/admin/integrations/endpoint/{endpoint.pk}/change/").status_code == 404
    assert client.post(f"/admin/integrations/endpoint/{endpoint.pk}/send-test/").status_code == 404
    assert "127.0.0.1" not in client.get("/admin/integrations/delivery/").content.decode()


def test_it_lets_alice_subscribe_only_her_campaigns(client, alice, charlie, campaign, transactional_db):
    theirs = CampaignFactory(organization=OrganizationFactory(name="Other"), slug="theirs")
    client.force_login(alice)
    data = {"url": "hooks.example.org/fund", "events": ["donation.succeeded"], "active": "on"}
    client.post("/admin/integrations/endpoint/add/", {**data, "campaign": theirs.pk})
    assert not Endpoint.objects.exists()
    client.post("/admin/integrations/endpoint/add/", {**data, "campaign": campaign.pk})
    endpoint = Endpoint.objects.get()
    assert (endpoint.url, endpoint.include_donor_email) == ("https://hooks.example.org/fund", False)
    assert endpoint.secret.startswith("whsec_")


def test_each_new_refunded_total_is_one_refund_event(endpoint, receiver):
    """Each partial refund is one donation.refunded (the later ones stay partially refunded, so a status
    change alone would miss them), one cent too; the payment itself, settling again with the same total,
    or a dispute, sends none."""
    donation = pay(endpoint.campaign, 5000)
    for refunded in (1, 1000, 2500, 2500):
        with transaction.atomic():
            donation.amount_refunded = refunded
            donation_settle(donation=donation)
    with transaction.atomic():
        donation.amount_disputed, donation.dispute_status = 500, Donation.Dispute.OPEN
        donation_settle(donation=donation)
    deliveries_drain()
    refunds = [(d["data"]["amount_refunded"], d["data"]["status"]) for d in documents(receiver, "donation.refunded")]
    assert refunds == [(1, "partially_refunded"), (1000, "partially_refunded"), (2500, "partially_refunded")]
    assert [post.event for post in receiver.posts].count("donation.succeeded") == 1
