"""Stripe objects and events shaped like API version 2026-10-28.endive (fixtures3 of stripe/openapi),
trimmed to the fields the app reads plus the nulls Stripe always sends."""

import itertools
import json
import time

import stripe

API_VERSION = "2026-10-28.endive"
WEBHOOK_SECRET = "whsec_test_secret"  # STRIPE_WEBHOOK_SECRET in tests/settings.py
_serial = itertools.count(1)


def sid(prefix):
    return f"{prefix}_test{next(_serial):06d}{int(time.time() * 1000) % 100000:05d}"


def event(type_, obj, *, created=None, event_id=None):
    return {
        "id": event_id or sid("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": created or int(time.time()),
        "data": {"object": obj, "previous_attributes": None},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type_,
    }


def checkout_session(*, amount, currency="usd", campaign="lights", donation=None, mode="payment",
                     payment_status="paid", payment_intent=None, subscription=None, email="donor@example.com",
                     session_id=None):  # fmt: skip
    metadata = {"fundraising_campaign": campaign} if campaign else {}
    if donation:
        metadata["fundraising_donation"] = str(donation)
    return {
        "id": session_id or sid("cs_test"),
        "object": "checkout.session",
        "amount_subtotal": amount,
        "amount_total": amount,
        "currency": currency,
        "currency_conversion": None,
        "customer": None,
        "customer_details": {"email": email, "name": None, "phone": None, "address": None, "tax_exempt": "none"},
        "customer_email": None,
        "livemode": False,
        "metadata": metadata,
        "mode": mode,
        "payment_intent": (payment_intent or sid("pi")) if mode == "payment" else None,
        "payment_link": None,
        "payment_status": payment_status,
        "status": "complete" if payment_status != "unpaid" else "open",
        "submit_type": "donate" if mode == "payment" else None,
        "subscription": (subscription or sid("sub")) if mode == "subscription" else None,
        "invoice": None,
        "success_url": "http://testserver/c/lights/thanks/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://testserver/c/lights/",
        "url": None,
    }


def charge(*, amount, payment_intent, amount_refunded=0, currency="usd", charge_id=None):
    return {
        "id": charge_id or sid("ch"),
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "amount_refunded": amount_refunded,
        "currency": currency,
        "customer": None,
        "disputed": False,
        "invoice": None,
        "metadata": {},
        "paid": True,
        "payment_intent": payment_intent,
        "refunded": amount_refunded >= amount,
        "status": "succeeded",
    }


def dispute(*, amount, payment_intent, charge_id, status="needs_response", currency="usd"):
    return {
        "id": sid("dp"),
        "object": "dispute",
        "amount": amount,
        "charge": charge_id,
        "currency": currency,
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": "fraudulent",
        "status": status,
    }


def invoice(*, amount, campaign="lights", donation=None, subscription, billing_reason="subscription_cycle",
            currency="usd", paid_at=None, email="monthly@example.com", invoice_id=None, legacy=False,
            interval=None):  # fmt: skip
    metadata = {"fundraising_campaign": campaign} if campaign else {}
    if donation:
        metadata["fundraising_donation"] = str(donation)
    obj = {
        "id": invoice_id or sid("in"),
        "object": "invoice",
        "amount_due": amount,
        "amount_paid": amount,
        "amount_remaining": 0,
        "billing_reason": billing_reason,
        "currency": currency,
        "customer": sid("cus"),
        "customer_email": email,
        "livemode": False,
        "metadata": {},
        "parent": {
            "quote_details": None,
            "subscription_details": {"metadata": metadata, "subscription": subscription},
            "type": "subscription_details",
        },
        "status": "paid",
        "status_transitions": {
            "finalized_at": paid_at,
            "marked_uncollectible_at": None,
            "paid_at": paid_at,
            "voided_at": None,
        },
    }
    if interval:  # the invoice's one line (fixtures3's line_item): the price by id only, the billed period
        obj["lines"] = invoice_lines(obj, amount=amount, subscription=subscription, interval=interval,
                                     start=paid_at or int(time.time()))  # fmt: skip
    if legacy:  # before 2025-03-31.basil: subscription_details at the top, subscription and payment_intent ids
        obj.pop("parent")
        obj["subscription_details"] = {"metadata": metadata}
        obj["subscription"] = subscription
    return obj


INTERVAL_DAYS = {"month": 30, "year": 365}


def invoice_lines(obj, *, amount, subscription, interval, start):
    """An invoice's `lines` list on the pinned API version: one subscription line whose period spans the interval."""
    line = {
        "id": sid("il"), "object": "line_item", "amount": amount, "currency": obj["currency"],
        "description": "1 × Yearly donation" if interval == "year" else "1 × Monthly donation",
        "discount_amounts": [], "discountable": True, "discounts": [], "invoice": obj["id"], "livemode": False,
        "metadata": {},
        "parent": {"invoice_item_details": None, "subscription_item_details": {
            "invoice_item": None, "proration": False, "proration_details": {"credited_items": None},
            "subscription": subscription, "subscription_item": f"si_{subscription[4:]}"},
            "type": "subscription_item_details"},
        "period": {"start": start, "end": start + INTERVAL_DAYS[interval] * 86400},
        "pretax_credit_amounts": [],
        "pricing": {"price_details": {"price": sid("price"), "product": f"prod_{subscription[4:]}"},
                    "type": "price_details", "unit_amount_decimal": str(amount)},
        "quantity": 1, "quantity_decimal": "1", "subtotal": amount, "taxes": [],
    }  # fmt: skip
    return {"object": "list", "data": [line], "has_more": False, "url": f"/v1/invoices/{obj['id']}/lines"}


def subscription(*, subscription_id, ended_at=None):
    return {
        "id": subscription_id,
        "object": "subscription",
        "status": "canceled",
        "canceled_at": ended_at,
        "ended_at": ended_at,
        "metadata": {},
    }


def signature(body, *, secret=WEBHOOK_SECRET, timestamp=None):
    """The Stripe-Signature header Stripe sends with `body`, signed with the endpoint's secret (every signed
    event in the tests goes through here)."""
    return stripe.WebhookSignature.generate_signature_header(body, secret, timestamp)


def signed_headers(body, *, secret=WEBHOOK_SECRET, timestamp=None):
    """signature() as the Django test client's extra header."""
    return {"HTTP_STRIPE_SIGNATURE": signature(body, secret=secret, timestamp=timestamp)}


def post_event(client, evt, *, secret=WEBHOOK_SECRET, processed=True):
    """POST an event to the real webhook view, signed as Stripe signs it. On-commit work (the event
    task, then the period refresh) runs as it would after a real commit, even inside a test transaction.

    An accepted event must not have failed (a failing event is retried, not counted: a test would otherwise
    pass on a bug that only shows as an error on the event), unless `processed=False`: the tests of failures
    and retries say so. Work deferred to a real worker is not waited for here."""
    from django.test import TestCase

    from fundraising.payments.models import StripeEvent

    body = json.dumps(evt)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/stripe/webhook/", data=body, content_type="application/json", **signed_headers(body, secret=secret)
        )
    if processed and response.status_code == 200 and isinstance(evt, dict) and evt.get("id"):
        stored = StripeEvent.objects.filter(stripe_id=evt["id"]).values_list("error", flat=True).first()
        assert not stored, (evt["type"], stored)
    return response


def expected_totals(donations):
    """(raised, donors) of one period's donations, summed here by the rule docs/stripe.md states, written
    independently of fundraising.ledger.services so a bug there cannot agree with itself: a paid gift
    counts its amount less refunds and open or lost disputes (never below zero); a donor is an e-mail,
    or a gift without one, that still counts for something."""
    raised, donors = 0, set()
    for d in donations:
        if d.paid_at is None:
            continue
        held_back = d.amount_disputed if d.dispute_status in ("open", "lost") else 0
        net = max(d.amount - d.amount_refunded - held_back, 0)
        raised += net
        if net > 0:
            donors.add(d.donor_email or str(d.pk))
    return raised, len(donors)


def ledger_picture():
    """What the ledger and the stored period totals say, comparable across delivery orders."""
    from fundraising.campaigns.models import Period
    from fundraising.ledger.models import Donation

    rows = sorted(
        (d.amount, d.kind, d.status, d.amount_refunded, d.amount_disputed, d.dispute_status, d.paid_at is not None)
        for d in Donation.objects.all()
    )
    periods = sorted((p.raised, p.donors) for p in Period.objects.all())
    for period in Period.objects.all():  # the stored totals are exactly what the ledger rows add up to
        assert (period.raised, period.donors) == expected_totals(Donation.objects.filter(period=period)), period
    return rows, periods


def ledger_reset():
    """Forget every payment (between two delivery orders of one scenario)."""
    from fundraising.campaigns.models import Period
    from fundraising.ledger.models import Donation
    from fundraising.payments.models import PaymentState, Refund, StripeEvent, SubscriptionLink, UnmatchedPayment

    for model in (Donation, Period, PaymentState, Refund, StripeEvent, SubscriptionLink, UnmatchedPayment):
        model.objects.all().delete()


def deliver_in_orders(client, make_steps, *, orders=None):
    """Deliver a scenario's events in each order (default: as listed, and reversed), every event twice (the
    second time as a new event with the same object, as Stripe may send), from an empty ledger each time.
    Returns {order: ledger_picture()} so a test can assert that all orders agree and on what."""
    results = {}
    count = len(make_steps())
    for order in orders or [tuple(range(count)), tuple(reversed(range(count)))]:
        ledger_reset()
        steps = make_steps()
        for index in order:
            assert post_event(client, steps[index]).status_code == 200
            assert post_event(client, dict(steps[index], id=sid("evt"))).status_code == 200
        results[order] = ledger_picture()
    return results


def all_orders(count, *, every=1):
    """Every order of `count` events (or every `every`-th of them, always with the reversed one)."""
    import itertools

    orders = list(itertools.permutations(range(count)))
    return orders[::every] + ([orders[-1]] if (len(orders) - 1) % every else [])


def subscription_live(*, subscription_id, amount, campaign="lights", donation=None, customer=None,
                      status="active", cancel_at_period_end=False, period_end=None, currency="usd", item_id=None,
                      product_id=None, interval="month"):  # fmt: skip
    """A subscription as customer.subscription.created/updated carry it (fixtures3 shape, trimmed): the
    amount and the period end live on its one item."""
    metadata = {"fundraising_campaign": campaign} if campaign else {}
    if donation:
        metadata["fundraising_donation"] = str(donation)
    now = int(time.time())
    period_end = period_end or now + INTERVAL_DAYS[interval] * 86400
    item_id = item_id or f"si_{subscription_id[4:]}"
    price = {
        "id": sid("price"),
        "object": "price",
        "active": True,
        "currency": currency,
        "product": product_id or f"prod_{subscription_id[4:]}",
        "recurring": {"interval": interval, "interval_count": 1, "meter": None, "trial_period_days": None,
                      "usage_type": "licensed"},
        "type": "recurring",
        "unit_amount": amount,
        "unit_amount_decimal": str(amount),
    }  # fmt: skip
    return {
        "id": subscription_id,
        "object": "subscription",
        "billing_cycle_anchor": now,
        "cancel_at": period_end if cancel_at_period_end else None,
        "cancel_at_period_end": cancel_at_period_end,
        "canceled_at": now if status == "canceled" or cancel_at_period_end else None,
        "collection_method": "charge_automatically",
        "created": now,
        "currency": currency,
        "customer": customer or f"cus_{subscription_id[4:]}",
        "ended_at": now if status == "canceled" else None,
        "items": {
            "object": "list",
            "data": [{"id": item_id, "object": "subscription_item",
                      "current_period_start": period_end - INTERVAL_DAYS[interval] * 86400,
                      "current_period_end": period_end, "metadata": {}, "price": price, "quantity": 1,
                      "subscription": subscription_id}],
            "has_more": False,
            "url": f"/v1/subscription_items?subscription={subscription_id}",
        },  # fmt: skip
        "latest_invoice": None,
        "livemode": False,
        "metadata": metadata,
        "start_date": now,
        "status": status,
    }


def invoice_failed(*, amount, subscription, campaign="lights", email="monthly@example.com", attempt=1):
    """invoice.payment_failed's object: a renewal the bank declined."""
    obj = invoice(amount=amount, subscription=subscription, campaign=campaign, email=email)
    obj.update(amount_paid=0, amount_remaining=amount, status="open", attempt_count=attempt, attempted=True)
    obj["status_transitions"]["paid_at"] = None
    return obj
