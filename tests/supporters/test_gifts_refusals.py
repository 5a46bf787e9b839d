"""A change Stripe cannot be asked for is refused before Stripe is called, with the reason the operator reads in the
log: dropping a card fees cover needs the cover and its item, the card's page needs the customer; the card's page is
opened for that customer, in the supporter's language, coming back to the manage page."""

import pytest

from fundraising.payments import stripe_api
from fundraising.payments.models import SubscriptionState
from fundraising.supporters import gifts
from fundraising.supporters.models import GiftChange
from tests.factories import DonationFactory


@pytest.fixture
def calls(monkeypatch):
    calls = []
    monkeypatch.setattr(stripe_api, "subscription_fee_cover_drop", lambda **kw: calls.append(("drop", kw)) or {})
    portal = {"url": "https://billing.stripe.com/p/session/test_1"}
    monkeypatch.setattr(stripe_api, "billing_portal_card_update", lambda **kw: calls.append(("portal", kw)) or portal)
    return calls


def monthly(campaign, **state):
    first = DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_1")
    known = SubscriptionState.objects.create(subscription_id="sub_1", **state) if state else None
    return gifts.MonthlyGift("sub_1", campaign, known, first, None)


@pytest.mark.parametrize(
    "state",
    [{}, {"fee_cover": 0, "fee_cover_item_id": "si_cover"}, {"fee_cover": 106, "fee_cover_item_id": ""}],
    ids=["no state", "no cover", "no cover item"],
)
def test_a_cover_drop_needs_the_cover_and_its_item(campaign, calls, state):
    with pytest.raises(stripe_api.StripeUnavailable) as refused:
        gifts.gift_fee_cover_drop(gift=monthly(campaign, **state))
    assert str(refused.value) == "the subscription's card fees cover is not known"
    assert calls == [] and not GiftChange.objects.exists()


@pytest.mark.parametrize("state", [{}, {"customer_id": ""}], ids=["no state", "no customer"])
def test_the_cards_page_needs_the_customer(campaign, calls, state):
    with pytest.raises(stripe_api.StripeUnavailable) as refused:
        gifts.gift_card_update_url(gift=monthly(campaign, **state), return_url="https://x.test/back", locale="fr")
    assert str(refused.value) == "the subscription's customer is not known yet"
    assert calls == []


def test_the_cards_page_opens_for_the_customer_in_the_supporters_language(campaign, calls):
    url = gifts.gift_card_update_url(gift=monthly(campaign, customer_id="cus_1"), return_url="https://x.test/back",
                                     locale="fr")  # fmt: skip
    assert url == "https://billing.stripe.com/p/session/test_1"
    assert calls == [("portal", {"customer_id": "cus_1", "return_url": "https://x.test/back", "locale": "fr"})]
