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
        ({"paid": True, "captured": True, "status": "succeeded", "amount_captured": 1}, 1),  # one cent of it
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


def test_it_reads_only_plausible_timestamps():
    assert readers.timestamp_read(1_764_000_000).isoformat() == "2025-11-24T16:00:00+00:00"
    assert readers.timestamp_read(readers.EARLIEST).year == 2000 and readers.timestamp_read(readers.LATEST).year == 3000
    for value in (readers.EARLIEST - 1, readers.LATEST + 1, 0, -5, True, "1764000000", 1.764e9, None):
        assert readers.timestamp_read(value) is None, value


def test_it_reads_ids_sent_as_strings_or_expanded_objects():
    assert readers.object_id("pi_1") == "pi_1"
    assert readers.object_id({"id": "pi_2", "object": "payment_intent"}) == "pi_2"
    for value in (None, 7, {"id": 7}, {}, ["pi_3"]):
        assert readers.object_id(value) == "", value


def test_it_reads_the_campaign_and_donation_a_payment_names():
    donation = "9f1c2d4e-0b7a-4c3e-9d52-1f6f0e2a7b10"
    assert readers.metadata_of({"metadata": {"a": "1"}}) == {"a": "1"}
    assert readers.metadata_of({"metadata": None}) == {} and readers.metadata_of("pi_1") == {}
    assert readers.metadata_campaign({"fundraising_campaign": "lights"}) == "lights"
    assert readers.metadata_campaign({"fundraising_campaign": 5}) == "" and readers.metadata_campaign(None) == ""
    assert str(readers.metadata_donation({"fundraising_donation": donation})) == donation
    assert readers.metadata_donation({"fundraising_donation": "nope"}) is None
    assert readers.metadata_donation(None) is None


def test_it_reads_a_sessions_amount_in_the_campaigns_currency():
    """With Adaptive Pricing the donor paid 460 EUR; currency_conversion holds the campaign's 500 USD."""
    session = stripe_object("checkout.session", amount_total=2500, currency="USD", currency_conversion=None)
    assert readers.session_amount(session) == (2500, "usd")
    assert readers.session_conversion(session) is None
    adaptive = stripe_object(
        "checkout.session",
        amount_total=460,
        currency="eur",
        currency_conversion={"amount_total": 500, "source_currency": "USD", "fx_rate": "0.92"},
    )
    assert readers.session_amount(adaptive) == (500, "usd")
    assert readers.session_conversion(adaptive) == ("eur", 460, 500)
    same = dict(adaptive, currency="usd")  # a conversion into its own currency is no conversion
    assert readers.session_conversion(same) is None
    assert (
        readers.session_conversion(dict(adaptive, currency_conversion={"amount_total": 0, "source_currency": "usd"}))
        is None
    )
    assert readers.session_conversion(dict(adaptive, amount_total=0)) is None
    assert readers.session_conversion(dict(adaptive, currency=None)) is None
    assert readers.session_amount(dict(adaptive, currency_conversion={"amount_total": 500})) == (460, "eur")


def test_it_reads_the_supporters_address_where_the_session_put_it():
    session = stripe_object("checkout.session", customer_details={"email": "ada@example.org"}, customer_email="x@e.org")
    assert readers.session_email(session) == "ada@example.org"
    assert readers.session_email(dict(session, customer_details=None)) == "x@e.org"
    assert readers.session_email(dict(session, customer_details={"email": None}, customer_email=None)) == ""


def test_it_reads_what_intents_invoices_and_disputes_amount_to():
    intent = stripe_object("payment_intent", amount=2000, amount_received=1500, currency="EUR")
    assert readers.intent_amount(intent) == (1500, "eur")
    assert readers.invoice_amount(stripe_object("invoice", amount_paid=700, amount_due=900, currency="GBP")) == (
        700,
        "gbp",
    )
    assert readers.dispute_amount(stripe_object("dispute", amount=460, currency="EUR")) == (460, "eur")
    for bad in (-5, 0, True, "700", None):
        assert readers.invoice_amount({"amount_paid": bad, "currency": 5}) == (0, ""), bad


def test_it_reads_an_invoices_subscription_and_paid_time_in_both_shapes():
    basil = {"parent": {"subscription_details": {"subscription": "sub_new"}}, "subscription": None}
    assert readers.invoice_subscription(stripe_object("invoice", **basil)) == "sub_new"
    legacy = stripe_object("invoice", parent=None, subscription={"id": "sub_old", "object": "subscription"})
    assert readers.invoice_subscription(legacy) == "sub_old"
    assert readers.invoice_subscription(stripe_object("invoice", parent=None, subscription=None)) == ""
    paid = stripe_object("invoice", status_transitions={"paid_at": 1_764_000_000, "finalized_at": 1_763_000_000})
    assert readers.invoice_paid_at(paid).timestamp() == 1_764_000_000
    assert readers.invoice_paid_at(stripe_object("invoice", status_transitions=None)) is None


def test_it_reads_a_charges_refunds_in_every_shape():
    """`refunds.data` before 2022-11-15, a bare list before 2014-05-19, none after; and the running total."""
    refund = {"id": "re_1", "amount": 300}
    listed = stripe_object("charge", refunds={"object": "list", "data": [refund, "re_2"]}, amount_refunded=300)
    assert readers.charge_refund_list(listed) == [refund]
    assert readers.charge_refund_list(dict(listed, refunds=[refund])) == [refund]
    assert readers.charge_refund_list(dict(listed, refunds=None)) == []
    assert readers.charge_refunded(listed) == 300 and readers.charge_refunded(dict(listed, amount_refunded=-1)) == 0
