"""When Stripe's last word on a subscription shows a change the supporter asked for (the manage page stops saying
"waiting for confirmation"): one table of each kind of change against what Stripe said."""

import pytest

from fundraising.payments.models import SubscriptionState
from fundraising.supporters.gifts import change_confirmed
from fundraising.supporters.models import GiftChange

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
