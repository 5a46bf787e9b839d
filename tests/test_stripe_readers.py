"""What the payload readers take from Stripe's objects, in the shapes Stripe has sent over the years
(tests/stripe_standin/fixtures3.json): the monthly amount an owner's run-rate and a supporter's manage
page show, and the attempt number that keys each "renewal failed" notice (one per attempt)."""

import pytest

from fundraising.payments import readers
from tests.stripe_standin.objects import stripe_object


def subscription(item, **fields):
    """Stripe's example subscription with one item made of `item` (price, plan, quantity...)."""
    sub = stripe_object("subscription", **fields)
    sub["items"]["data"] = [item]
    return sub


def price(**fields):
    return {"object": "price", "id": "price_1", "currency": "eur", "unit_amount": 1500, **fields}


def test_it_multiplies_the_price_by_the_quantity():
    assert readers.subscription_amount(subscription({"price": price(), "quantity": 3})) == (4500, "eur")
    assert readers.subscription_amount(subscription({"price": price()})) == (1500, "eur")  # no quantity: one
    assert readers.subscription_amount(subscription({"price": price(), "quantity": "3"})) == (1500, "eur")


def test_it_reads_a_legacy_plan_when_the_item_has_no_price():
    """Items created before Prices (API 2020-08-27 and older) carry a Plan: its `amount`, not `unit_amount`."""
    plan = {"object": "plan", "id": "plan_1", "currency": "USD", "amount": 700, "interval": "month"}
    assert readers.subscription_amount(subscription({"plan": plan, "quantity": 2})) == (1400, "usd")


def test_it_takes_the_subscriptions_currency_when_the_price_names_none():
    item = {"price": price(currency=None), "quantity": 1}
    assert readers.subscription_amount(subscription(item, currency="GBP")) == (1500, "gbp")
    assert readers.subscription_amount(subscription({"price": price(currency="chf")}, currency="gbp"))[1] == "chf"


def test_it_reads_nothing_from_an_item_without_price_or_plan():
    assert readers.subscription_amount(subscription({"quantity": 2}, currency=None)) == (0, "")


@pytest.mark.parametrize(
    ("attempt_count", "attempt"),
    [(1, 1), (2, 2), (4, 4), (0, 1), (-3, 1), (None, 1), (True, 1), ("2", 1)],
)
def test_it_numbers_a_renewal_attempt_from_one(attempt_count, attempt):
    invoice = stripe_object("invoice", attempt_count=attempt_count)
    assert readers.invoice_attempt(invoice) == attempt
