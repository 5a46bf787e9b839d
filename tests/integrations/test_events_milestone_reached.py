"""A milestone reaches an owner's URL as the integrations milestone.reached event: signed with the endpoint's
secret, retried until a 2xx, never sent to a private address or after a redirect, once per crossing."""

import pytest
from django.core import mail
from django.db import transaction

from fundraising.campaigns import services
from fundraising.integrations.models import Delivery, Endpoint
from fundraising.ledger import services as ledger
from tests.delivery_helpers import deliveries_drain
from tests.factories import DonationFactory, MilestoneFactory


@pytest.fixture
def endpoint(transactional_db, campaign, receiver):
    return Endpoint.objects.create(
        campaign=campaign, url=receiver.url, events=["milestone.reached"], secret="whsec_owner"
    )


@pytest.fixture
def halfway(campaign):
    MilestoneFactory(campaign=campaign, amount=250000, label="Halfway")
    services.campaign_sync_open_period(campaign=campaign)


def give(campaign, amount):
    """A gift, then beat's sweeps until its events are delivered or given up."""
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, amount=amount)
        ledger.ledger_changed(period_id=donation.period_id)
    deliveries_drain()


def test_it_posts_a_signed_milestone_and_retries_on_errors(endpoint, halfway, receiver):
    receiver.failures = 2

    give(endpoint.campaign, 300000)

    assert len(receiver.posts) == 3  # two 500s, then delivered
    post = receiver.posts[-1]
    assert post.signed_with("whsec_owner") and not post.signed_with("whsec_other")
    assert post.event == "milestone.reached"
    doc = post.document
    assert (doc["type"], doc["campaign"]) == ("milestone.reached", "lights")
    data = doc["data"]
    assert (data["amount"], data["label"], data["formatted"]) == (250000, "Halfway", "2,500 $")
    assert data["is_target"] is False
    assert (data["period"]["raised"], data["period"]["goal"]["target"]) == (300000, 500000)
    assert len({p.document["id"] for p in receiver.posts}) == 1  # the same event each time
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)


def test_it_posts_the_target_as_a_milestone(endpoint, receiver):
    give(endpoint.campaign, 500000)

    assert [p.document["data"]["is_target"] for p in receiver.posts] == [True]


def test_it_refuses_to_post_to_a_private_address_in_production(endpoint, receiver, settings):
    settings.OUTGOING_ALLOW_PRIVATE = False

    give(endpoint.campaign, 500000)

    assert receiver.posts == []
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and "127.0.0.1" in delivery.last_error  # never retried


def test_it_does_not_follow_a_redirect(endpoint, receiver):
    receiver.redirect = f"{receiver.url}-target"  # stands for an internal address the check would refuse

    give(endpoint.campaign, 500000)

    # Every try got the 303, counted as a failure and retried; none went where it pointed.
    assert len(receiver.posts) >= 2 and receiver.followed == []
    assert Delivery.objects.get().last_status_code == 303


def test_it_posts_a_crossing_once_however_often_the_period_refreshes(endpoint, halfway, receiver):
    give(endpoint.campaign, 300000)
    assert [p.document["data"]["label"] for p in receiver.posts] == ["Halfway"]
    mails = len(mail.outbox)

    give(endpoint.campaign, 1000)  # a later gift refreshes the period again; nothing new was crossed
    give(endpoint.campaign, 1000)
    assert len(receiver.posts) == 1
    assert len(mail.outbox) == mails


def test_it_leaves_endpoints_that_did_not_choose_milestones_alone(endpoint, halfway, receiver):
    endpoint.events = ["period.closed"]
    endpoint.save()

    give(endpoint.campaign, 300000)

    assert receiver.posts == [] and not Delivery.objects.exists()
