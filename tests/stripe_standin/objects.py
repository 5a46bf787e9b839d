"""Stripe's own example objects (tests/stripe_standin/fixtures3.json: the subset of `openapi/fixtures3.json`
from github.com/stripe/openapi, MIT licence, Copyright (c) 2011- Stripe, Inc., snapshot of 2026-08-21),
with only the fields a scenario needs changed, in the shape of the API version where the case occurs:

- current (2025-03-31.basil and later): invoices name their subscription under
  `parent.subscription_details` and no longer carry `payment_intent`/`charge`; `invoice_payment.paid`
  links an invoice to its payment; charges embed no refunds;
- before 2025-03-31.basil: `subscription`, `payment_intent`, `charge` on the invoice;
- before 2022-11-15: charges embed their refunds (`refunds.data`);
- before PaymentIntents (2016-2018 integrations): charges with no `payment_intent` at all."""

import copy
import functools
import json
import pathlib
import time

from tests.stripe_standin.events import event, sid

BASIL = "2025-03-31.basil"
LEGACY_INVOICE = "2024-06-20"
LEGACY_CHARGE = "2020-08-27"
PRE_INTENT = "2016-03-07"


@functools.cache
def _fixtures():
    return json.loads((pathlib.Path(__file__).parent / "fixtures3.json").read_text())


def stripe_object(kind, **fields):
    obj = copy.deepcopy(_fixtures()[kind])
    obj.update(fields)
    return obj


def at(api_version, type_, obj, **kwargs):
    """An event of `type_` as sent to an endpoint pinned to `api_version`."""
    evt = event(type_, obj, **kwargs)
    evt["api_version"] = api_version
    return evt


def session(*, amount, currency="usd", campaign="lights", mode="payment", payment_intent=None, subscription=None,
            conversion=None, email="donor@example.com"):  # fmt: skip
    """A completed Checkout Session (e.g. of a Payment Link: metadata names the campaign, no donation id).
    `conversion=(source_amount, source_currency)`: Adaptive Pricing charged `amount` in `currency`."""
    obj = stripe_object(
        "checkout.session",
        id=sid("cs_test"),
        amount_subtotal=amount,
        amount_total=amount,
        currency=currency,
        currency_conversion=None,
        metadata={"fundraising_campaign": campaign} if campaign else {},
        mode=mode,
        payment_intent=(payment_intent or sid("pi")) if mode == "payment" else None,
        subscription=(subscription or sid("sub")) if mode == "subscription" else None,
        payment_link=sid("plink"),
        payment_status="paid",
        status="complete",
    )
    obj["customer_details"]["email"] = email
    if conversion:
        source_amount, source_currency = conversion
        obj["currency_conversion"] = {"amount_subtotal": source_amount, "amount_total": source_amount,
                                      "fx_rate": str(round(amount / source_amount, 6)),
                                      "source_currency": source_currency}  # fmt: skip
    return obj


def invoice(*, amount, subscription=None, metadata=None, invoice_metadata=None, currency="usd",
            billing_reason="subscription_cycle", paid_at=None, legacy=False, payment_intent=None):  # fmt: skip
    """A paid invoice. `metadata`: the subscription's (Stripe's snapshot on the invoice); `invoice_metadata`:
    the invoice's own (one-off invoices). `legacy`: the shape before 2025-03-31.basil."""
    obj = stripe_object(
        "invoice",
        id=sid("in"),
        amount_due=amount,
        amount_paid=amount,
        amount_remaining=0,
        billing_reason=billing_reason if subscription else "manual",
        currency=currency,
        customer_email="monthly@example.com",
        metadata=invoice_metadata or {},
        status="paid",
    )
    obj["status_transitions"]["paid_at"] = paid_at
    if subscription:
        details = {"metadata": metadata or {}, "subscription": subscription}
        obj["parent"] = {"quote_details": None, "subscription_details": details, "type": "subscription_details"}
    else:
        obj["parent"] = None
    if legacy:
        obj.pop("parent")
        obj["subscription"] = subscription
        obj["subscription_details"] = {"metadata": metadata or {}} if subscription else None
        obj["payment_intent"] = payment_intent
        obj["charge"] = None
    return obj


def invoice_payment(*, invoice_id, payment_intent, amount):
    return {
        "id": sid("inpay"),
        "object": "invoice_payment",
        "amount_paid": amount,
        "amount_requested": amount,
        "currency": "usd",
        "invoice": invoice_id,
        "is_default": True,
        "livemode": False,
        "payment": {"type": "payment_intent", "payment_intent": payment_intent},
        "status": "paid",
        "status_transitions": {"canceled_at": None, "paid_at": None},
    }


def charge(*, amount, payment_intent=None, currency="usd", amount_refunded=0, metadata=None, refunds=None,
           charge_id=None):  # fmt: skip
    """A paid charge. `refunds` (a list of refund objects): embedded as charges before 2022-11-15 did."""
    obj = stripe_object(
        "charge",
        id=charge_id or sid("ch"),
        amount=amount,
        amount_captured=amount,
        amount_refunded=amount_refunded,
        captured=True,
        created=int(time.time()),
        currency=currency,
        metadata=metadata or {},
        paid=True,
        payment_intent=payment_intent,
        refunded=amount_refunded >= amount,
        status="succeeded",
    )
    if refunds is not None:
        url = f"/v1/charges/{obj['id']}/refunds"
        obj["refunds"] = {"object": "list", "data": refunds, "has_more": False, "url": url}
    return obj


def refund(*, amount, charge_id, payment_intent=None, currency="usd", status="succeeded", refund_id=None):
    return stripe_object(
        "refund",
        id=refund_id or sid("re"),
        amount=amount,
        charge=charge_id,
        currency=currency,
        payment_intent=payment_intent,
        status=status,
    )


def dispute(*, amount, charge_id, payment_intent=None, currency="usd", status="needs_response"):
    return stripe_object(
        "dispute", id=sid("dp"), amount=amount, charge=charge_id, currency=currency,
        payment_intent=payment_intent, status=status,
    )  # fmt: skip


# The API version the pinned stripe library sends (stripe.api_version), and so the endpoint's.
PINNED = "2026-10-28.endive"


def payment_intent_declined(*, amount, metadata, payment_intent=None, charge_id=None, currency="usd",
                            decline_code="generic_decline"):  # fmt: skip
    """A PaymentIntent whose card was just declined, as payment_intent.payment_failed carries it: back to
    requires_payment_method (Checkout keeps the session open for another card), the failed attempt's charge in
    `latest_charge` and in `last_payment_error.charge`, nothing received."""
    charge_id = charge_id or sid("ch")
    error = {
        "charge": charge_id,
        "code": "card_declined",
        "decline_code": decline_code,
        "doc_url": "https://stripe.com/docs/error-codes/card-declined",
        "message": "Your card was declined.",
        "payment_method": {"id": sid("pm"), "object": "payment_method", "type": "card"},
        "type": "card_error",
    }
    return stripe_object(
        "payment_intent",
        id=payment_intent or sid("pi"),
        amount=amount,
        amount_received=0,
        canceled_at=None,
        created=int(time.time()),
        currency=currency,
        last_payment_error=error,
        latest_charge=charge_id,
        metadata=metadata,
        next_action=None,
        processing=None,
        status="requires_payment_method",
        transfer_data=None,
    )


def invoice_line(*, amount, subscription, item_id=None, description="1 × Monthly donation"):
    """One line of a subscription's invoice (fixtures3's `line_item`): what one subscription item bills."""
    line = copy.deepcopy(_fixtures()["invoice"]["lines"]["data"][0])
    line.update(id=sid("il"), amount=amount, currency="usd", description=description, subtotal=amount)
    line["parent"] = {
        "invoice_item_details": None,
        "subscription_item_details": {"invoice_item": None, "proration": False, "proration_details": None,
                                      "subscription": subscription, "subscription_item": item_id or sid("si")},
        "type": "subscription_item_details",
    }  # fmt: skip
    return line


def invoice_with_lines(invoice, *, amounts, subscription):
    """`invoice` billing one line per amount (a monthly gift, and its card fees cover as a line of its own)."""
    lines = [invoice_line(amount=amount, subscription=subscription) for amount in amounts]
    invoice["lines"] = {
        "data": lines,
        "has_more": False,
        "object": "list",
        "url": f"/v1/invoices/{invoice['id']}/lines",
    }
    return invoice
