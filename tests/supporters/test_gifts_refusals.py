"""A change Stripe cannot be asked for is refused before Stripe is called, with the reason the operator reads in the
log: a new amount needs the item and its product, dropping a card fees cover the cover and its item, the card's page
the customer. A new amount is asked in the campaign's currency when Stripe named none; the card's page is opened for
that customer, in the supporter's language, coming back to the manage page."""

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
    monkeypatch.setattr(stripe_api, "subscription_amount_change", lambda **kw: calls.append(("amount", kw)) or {})
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


@pytest.mark.parametrize(
    "state",
    [{}, {"item_id": "", "product_id": "prod_1"}, {"item_id": "si_1", "product_id": ""}],
    ids=["no state", "no item", "no product"],
)
def test_a_new_amount_needs_the_item_and_its_product(campaign, calls, state):
    with pytest.raises(stripe_api.StripeUnavailable) as refused:
        gifts.gift_amount_change(gift=monthly(campaign, **state), amount=2000)
    assert str(refused.value) == "the subscription's item is not known yet"
    assert calls == [] and not GiftChange.objects.exists()


def test_a_new_amount_is_asked_in_the_campaigns_currency_when_stripe_named_none(campaign, calls):
    change = gifts.gift_amount_change(gift=monthly(campaign, item_id="si_1", product_id="prod_1"), amount=2000)
    [(name, asked)] = calls
    assert asked.pop("idempotency_key").startswith("gift-amount-sub_1-")
    assert (name, asked) == ("amount", {"subscription_id": "sub_1", "item_id": "si_1", "product_id": "prod_1",
                                        "currency": "usd", "amount": 2000, "interval": "month"})  # fmt: skip
    assert (change.subscription_id, change.kind, change.amount) == ("sub_1", "amount", 2000)


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
