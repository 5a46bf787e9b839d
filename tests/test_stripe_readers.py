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


def test_it_finds_the_payment_intent_of_an_invoice_in_every_shape():
    """Before basil on the invoice itself; from basil on under the expanded `payments` list."""
    assert readers.invoice_payment_intent(stripe_object("invoice", payment_intent="pi_old", payments=None)) == "pi_old"
    paid = {"object": "list", "data": [{"payment": {"type": "payment_intent", "payment_intent": "pi_new"}}]}
    assert readers.invoice_payment_intent(stripe_object("invoice", payment_intent=None, payments=paid)) == "pi_new"
    expanded = {"data": [{"payment": {"payment_intent": {"id": "pi_obj", "object": "payment_intent"}}}]}
    assert readers.invoice_payment_intent(stripe_object("invoice", payments=expanded)) == "pi_obj"
    assert readers.invoice_payment_intent(stripe_object("invoice", payment_intent=None, payments=None)) == ""


def test_it_reads_a_refund_and_takes_one_without_status_as_succeeded():
    """Refunds before 2017 had no status: they had succeeded. A refund's currency is read in lower case."""
    refund = stripe_object("refund", id="re_1", amount=700, currency="EUR", status="pending")
    assert readers.refund_read(refund) == ("re_1", 700, "eur", "pending")
    del refund["status"]
    assert readers.refund_read(refund) == ("re_1", 700, "eur", "succeeded")
    refund["status"] = None
    assert readers.refund_read(refund)[3] == "succeeded"


def test_it_reads_when_the_paid_month_ends_on_the_item_or_before_basil_on_the_subscription():
    on_item = subscription({"price": price(), "current_period_end": 1_800_000_000}, current_period_end=None)
    assert readers.subscription_period_end(on_item).timestamp() == 1_800_000_000
    before_basil = subscription({"price": price()}, current_period_end=1_700_000_000)
    assert readers.subscription_period_end(before_basil).timestamp() == 1_700_000_000
    assert readers.subscription_period_end(subscription({"price": price()}, current_period_end=None)) is None


def test_it_takes_an_invoices_campaign_from_its_subscription_before_its_own_metadata():
    """The subscription's details win when they name a campaign (an owner may tag invoices too); else the
    invoice's own metadata; a missing or malformed metadata reads as empty."""
    details = {
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"metadata": {"fundraising_campaign": "lights"}},
        }
    }
    invoice = stripe_object("invoice", metadata={"fundraising_campaign": "other", "note": "x"}, **details)
    assert readers.invoice_metadata(invoice) == {"fundraising_campaign": "lights"}
    legacy = stripe_object(
        "invoice", parent=None, subscription_details={"metadata": {"fundraising_campaign": "lights"}}, metadata={}
    )
    assert readers.invoice_metadata(legacy) == {"fundraising_campaign": "lights"}
    one_off = stripe_object(
        "invoice", parent=None, subscription_details=None, metadata={"fundraising_campaign": "other"}
    )
    assert readers.invoice_metadata(one_off) == {"fundraising_campaign": "other"}
    malformed = {"parent": {"subscription_details": {"metadata": None}}}
    assert readers.invoice_metadata(stripe_object("invoice", metadata={}, **malformed)) == {}
    assert readers.invoice_metadata(stripe_object("invoice", metadata=None, **malformed)) == {}


@pytest.mark.parametrize(
    ("fields", "amount"),
    [
        ({"paid": True, "captured": True, "status": "succeeded", "amount_captured": 2000}, 2000),
        ({"paid": True, "captured": True, "status": "succeeded", "amount_captured": 1500}, 1500),  # partly captured
        ({"paid": True, "captured": True, "status": "succeeded", "amount_captured": None}, 2000),  # before 2020
        ({"paid": True, "captured": True, "status": "succeeded", "amount_captured": 0}, 2000),
        ({"paid": True, "captured": False, "status": "succeeded", "amount_captured": 0}, 0),  # authorised only
        ({"paid": False, "captured": True, "status": "pending", "amount_captured": 2000}, 0),  # a pending debit
        ({"paid": True, "captured": True, "status": "failed", "amount_captured": 2000}, 0),
        ({"paid": None, "captured": None, "status": None, "amount_captured": None}, 2000),  # fields it never sent
    ],
)
def test_it_counts_a_charge_only_once_paid_and_captured(fields, amount):
    charge = stripe_object("charge", amount=2000, currency="EUR", **fields)
    assert readers.charge_amount(charge) == (amount, "eur")
