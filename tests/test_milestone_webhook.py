"""A crossing is POSTed to the publisher's URL, HMAC-signed like Stripe, and retried until it gets a 2xx."""

import pytest
from django.db import transaction

from fundraising.campaigns import services
from fundraising.campaigns.models import Campaign
from fundraising.ledger import services as ledger
from tests.factories import DonationFactory, MilestoneFactory


def give(campaign, amount):
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, amount=amount)
        ledger.ledger_changed(period_id=donation.period_id)


def test_it_posts_a_signed_milestone_and_retries_on_errors(transactional_db, campaign, receiver, eager_retries):
    campaign.milestone_webhook_url = receiver.url
    campaign.milestone_webhook_secret = "mwsec_publisher"
    campaign.save()
    MilestoneFactory(campaign=campaign, amount=250000, label="Halfway")
    services.campaign_sync_open_period(campaign=campaign)
    receiver.failures = 2

    give(campaign, 300000)

    assert len(receiver.posts) == 3  # two 500s, then delivered
    post = receiver.posts[-1]
    assert post.signed_with("mwsec_publisher")
    assert not post.signed_with("mwsec_other")
    doc = post.json()
    assert doc["type"] == "milestone.reached"
    assert doc["campaign"] == "lights"
    assert doc["milestone"] == {"amount": 250000, "label": "Halfway", "formatted": "2,500 $"}
    assert (doc["raised"], doc["target"], doc["is_target"]) == (300000, 500000, False)


def test_it_signs_with_a_generated_secret_when_none_is_set(transactional_db, campaign, receiver):
    campaign.milestone_webhook_url = receiver.url
    campaign.save()

    give(campaign, 500000)

    secret = Campaign.objects.get(pk=campaign.pk).milestone_webhook_secret
    assert secret.startswith("mwsec_")
    assert len(receiver.posts) == 1 and receiver.posts[0].signed_with(secret)
    assert receiver.posts[0].json()["is_target"] is True


def test_it_refuses_to_post_to_a_private_address_in_production(transactional_db, campaign, receiver, settings):
    settings.MILESTONE_WEBHOOK_ALLOW_PRIVATE = False
    campaign.milestone_webhook_url = receiver.url
    campaign.save()

    give(campaign, 500000)

    assert receiver.posts == []


@pytest.mark.parametrize("host", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]", "localhost"])
def test_it_checks_every_kind_of_internal_address(settings, host):
    from fundraising.campaigns.milestones import WebhookRefused, webhook_url_check

    settings.MILESTONE_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(WebhookRefused):
        webhook_url_check(f"http://{host}/hook")


def test_it_does_not_follow_a_redirect(transactional_db, campaign, receiver, eager_retries):
    receiver.redirect = f"{receiver.url}-target"  # stands for an internal address the check would refuse
    campaign.milestone_webhook_url = receiver.url
    campaign.save()

    give(campaign, 500000)

    # Every try got the 303, counted as a failure and retried; none went where it pointed.
    assert len(receiver.posts) >= 2 and not receiver.followed


def test_it_posts_a_crossing_once_however_often_the_period_refreshes(transactional_db, campaign, receiver):
    from django.core import mail

    campaign.milestone_webhook_url = receiver.url
    campaign.save()
    MilestoneFactory(campaign=campaign, amount=250000, label="Halfway")
    services.campaign_sync_open_period(campaign=campaign)

    give(campaign, 300000)
    assert [post.json()["milestone"]["label"] for post in receiver.posts] == ["Halfway"]
    mails = len(mail.outbox)

    give(campaign, 1000)  # a later gift refreshes the period again; nothing new was crossed
    give(campaign, 1000)
    assert len(receiver.posts) == 1
    assert len(mail.outbox) == mails
