"""The monthly gifts the manage page lists for an address: its subscriptions at this organisation only (whatever the
address's case), never its one-time gifts, active ones first and the newest first, each with its first payment."""

import datetime

from fundraising.ledger.models import Donation
from fundraising.payments.models import SubscriptionState
from fundraising.supporters import gifts
from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory


def subscription(campaign, subscription_id, *, days_ago, email="ann@example.com", status="active"):
    first = DonationFactory(
        campaign=campaign, kind="monthly", donor_email=email, stripe_subscription_id=subscription_id
    )
    Donation.objects.filter(pk=first.pk).update(created_at=first.created_at - datetime.timedelta(days=days_ago))
    SubscriptionState.objects.create(subscription_id=subscription_id, status=status, amount=1500)
    return first


def test_an_address_sees_its_monthly_gifts_here_active_and_newest_first(campaign):
    DonationFactory(campaign=campaign, donor_email="ann@example.com", stripe_subscription_id="")  # one-time
    subscription(campaign, "sub_old", days_ago=300)
    subscription(campaign, "sub_new", days_ago=10, email="Ann@Example.com")
    subscription(campaign, "sub_stopped", days_ago=5, status="canceled")
    subscription(campaign, "sub_mid", days_ago=100)
    renewal = DonationFactory(campaign=campaign, kind="monthly", donor_email="ann@example.com",
                              stripe_subscription_id="sub_old")  # fmt: skip
    subscription(CampaignFactory(organization=OrganizationFactory()), "sub_elsewhere", days_ago=1)
    subscription(campaign, "sub_someone", days_ago=1, email="bob@example.com")
    listed = gifts.monthly_gifts(organization=campaign.organization, email="ann@example.com")
    assert [gift.subscription_id for gift in listed] == ["sub_new", "sub_mid", "sub_old", "sub_stopped"]
    assert listed[2].first_gift != renewal and listed[2].first_gift.stripe_subscription_id == "sub_old"
