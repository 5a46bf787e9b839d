"""Stopping a gift asks Stripe for that subscription and records the change; it counts as confirmed when Stripe's
last word on the subscription shows it (the manage page stops saying "waiting for confirmation"): one table of each
kind of change against what Stripe said."""

import datetime

import pytest
import time_machine

from fundraising.payments import stripe_api
from fundraising.payments.models import SubscriptionState
from fundraising.supporters import gifts
from fundraising.supporters.gifts import change_confirmed
from fundraising.supporters.models import GiftChange
from tests.factories import DonationFactory

ACTIVE = {"status": "active", "amount": 1500, "fee_cover": 106, "cancel_at_period_end": False}


@pytest.mark.parametrize(
    ("kind", "amount", "said", "confirmed"),
    [
        ("amount", 2000, {}, False),
        ("amount", 2000, {"amount": 2000}, True),
        ("fee_cover_drop", 0, {}, False),
        ("fee_cover_drop", 0, {"fee_cover": 1}, False),
        ("fee_cover_drop", 0, {"fee_cover": 0}, True),
        ("cancel_at_end", 0, {}, False),
        ("cancel_at_end", 0, {"cancel_at_period_end": True}, True),
        ("cancel_at_end", 0, {"status": "canceled"}, True),  # stopped outright meanwhile
        ("cancel_now", 0, {}, False),
        ("cancel_now", 0, {"cancel_at_period_end": True}, False),
        ("cancel_now", 0, {"status": "canceled"}, True),
    ],
)
def test_a_change_is_confirmed_once_stripe_says_so(kind, amount, said, confirmed):
    change = GiftChange(subscription_id="sub_1", kind=kind, amount=amount)
    state = SubscriptionState(subscription_id="sub_1", **{**ACTIVE, **said})
    assert change_confirmed(change, state) is confirmed


@pytest.mark.parametrize("kind", ["amount", "fee_cover_drop", "cancel_at_end", "cancel_now"])
def test_nothing_is_confirmed_before_stripe_described_the_subscription(kind):
    assert change_confirmed(GiftChange(subscription_id="sub_1", kind=kind, amount=2000), None) is False


@pytest.mark.parametrize(
    ("at_period_end", "asked", "kind"), [(True, "at_end", "cancel_at_end"), (False, "now", "cancel_now")]
)
def test_stopping_asks_stripe_for_that_subscription(campaign, monkeypatch, at_period_end, asked, kind):
    calls = []
    monkeypatch.setattr(stripe_api, "subscription_cancel_at_period_end", lambda **kw: calls.append(("at_end", kw)))
    monkeypatch.setattr(stripe_api, "subscription_cancel_now", lambda **kw: calls.append(("now", kw)))
    first = DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_1")
    change = gifts.gift_cancel(
        gift=gifts.MonthlyGift("sub_1", campaign, None, first, None), at_period_end=at_period_end
    )
    assert calls == [(asked, {"subscription_id": "sub_1"})]
    assert (change.subscription_id, change.kind) == ("sub_1", kind)


def test_an_unconfirmed_change_waits_one_hour_and_no_longer(campaign):
    asked = datetime.datetime(2026, 3, 14, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(asked, tick=False):
        GiftChange.objects.create(subscription_id="sub_1", kind="cancel_now")
    state = SubscriptionState.objects.create(subscription_id="sub_1", **ACTIVE)
    with time_machine.travel(asked + gifts.WAIT_FOR, tick=False):
        assert gifts._pending("sub_1", state).kind == "cancel_now"
    with time_machine.travel(asked + gifts.WAIT_FOR + datetime.timedelta(microseconds=1), tick=False):
        assert gifts._pending("sub_1", state) is None
