"""A monthly gift whose subscription Stripe has not described to us yet (no customer.subscription.* event): the
manage page reads it from Stripe once and stores it as older than any event, so the first event still wins; with
Stripe unreachable the gift is listed from its first payment."""

import datetime

from fundraising.payments import stripe_api
from fundraising.payments.models import SubscriptionState
from fundraising.payments.subscriptions import subscription_state_record
from fundraising.supporters import gifts
from tests.factories import DonationFactory
from tests.stripe_standin import events


def first_payment(campaign):
    return DonationFactory(campaign=campaign, kind="monthly", amount=1500, donor_email="ann@example.com",
                           stripe_subscription_id="sub_fetched")  # fmt: skip


def test_a_subscription_without_an_event_is_read_from_stripe_once_and_yields_to_the_first_event(campaign, monkeypatch):
    first_payment(campaign)
    asked = []
    described = events.subscription_live(subscription_id="sub_fetched", amount=2000, customer="cus_ann")
    monkeypatch.setattr(stripe_api, "subscription_retrieve", lambda **kw: asked.append(kw) or described)
    [gift] = gifts.monthly_gifts(organization=campaign.organization, email="ann@example.com")
    assert asked == [{"subscription_id": "sub_fetched"}]
    assert (gift.subscription_id, gift.amount, gift.state.customer_id, gift.active) == ("sub_fetched", 2000, "cus_ann",
                                                                                        True)  # fmt: skip
    state = SubscriptionState.objects.get(subscription_id="sub_fetched")
    assert state.stripe_updated_at == datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    gifts.monthly_gifts(organization=campaign.organization, email="ann@example.com")
    assert len(asked) == 1  # stored: not asked again
    early = events.subscription_live(subscription_id="sub_fetched", amount=2500)
    subscription_state_record(subscription=early, when=datetime.datetime(2000, 1, 1, 0, 0, 1, tzinfo=datetime.UTC))
    assert SubscriptionState.objects.get(subscription_id="sub_fetched").amount == 2500


def test_with_stripe_unreachable_the_gift_is_listed_from_its_first_payment(campaign, monkeypatch):
    first = first_payment(campaign)

    def unavailable(**kw):
        raise stripe_api.StripeUnavailable("down")

    monkeypatch.setattr(stripe_api, "subscription_retrieve", unavailable)
    [gift] = gifts.monthly_gifts(organization=campaign.organization, email="ann@example.com")
    assert (gift.state, gift.first_gift, gift.amount, gift.active) == (None, first, 1500, True)
    assert not SubscriptionState.objects.exists()
