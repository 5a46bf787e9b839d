"""A local test checkout for `make demo` without a Stripe account (STRIPE_DEMO_CHECKOUT=1, DEBUG only).

stripe_api.py hands it Checkout Session creation and retrieval when it is on, so donation_checkout_start
and the thanks page run unchanged. Sessions live in the cache for a day, as Stripe's expire. Paying
turns a session into what Stripe would then hold and returns the events Stripe would send, in Stripe's
shapes (API version 2026-10-28.endive); fundraising/payments/demo_views.py signs and POSTs them to the
real webhook. No card, no network: nothing here talks to Stripe."""

import secrets
import time

from django.core.cache import cache
from django.urls import reverse

API_VERSION = "2026-10-28.endive"
SESSION_SECONDS = 24 * 60 * 60
DEMO_EMAIL = "donor@example.com"


def demo_id(prefix):
    return f"{prefix}_{secrets.token_hex(12)}"


def _session_key(session_id):
    return f"demo-checkout:session:{session_id}"


def _metadata(params, key):
    return dict((params.get(key) or {}).get("metadata") or {})


def session_create(*, params, idempotency_key, site_url):
    """A Checkout Session dict for `params` (as sent to stripe.checkout.Session.create); the same
    idempotency key gives the same session, as Stripe does."""
    idempotency_cache_key = f"demo-checkout:idempotency:{idempotency_key}"
    existing = cache.get(idempotency_cache_key)
    if existing and (session := session_retrieve(session_id=existing)) is not None:
        return session
    session_id = demo_id("cs_test")
    line = params["line_items"][0]
    price = line["price_data"]
    amount = int(price["unit_amount"]) * int(line.get("quantity", 1))
    monthly = params["mode"] == "subscription"
    session = {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": amount,
        "amount_total": amount,
        "cancel_url": params["cancel_url"],
        "client_reference_id": params.get("client_reference_id"),
        "created": int(time.time()),
        "currency": price["currency"],
        "currency_conversion": None,
        "customer": None,
        "customer_details": None,
        "customer_email": None,
        "expires_at": int(time.time()) + SESSION_SECONDS,
        "invoice": None,
        "livemode": False,
        "locale": params.get("locale"),
        "metadata": dict(params.get("metadata") or {}),
        "mode": params["mode"],
        "payment_intent": None,
        "payment_link": None,
        "payment_status": "unpaid",
        "status": "open",
        "submit_type": params.get("submit_type"),
        "subscription": None,
        "success_url": params["success_url"],
        "url": site_url + reverse("demo-checkout", args=[session_id]),
        # Not Stripe's: what the page shows and what paying needs (stripe_api.py hides "_" keys).
        "_product": price["product_data"]["name"],
        "_interval": "month" if monthly else "",
        "_payment_metadata": _metadata(params, "subscription_data" if monthly else "payment_intent_data"),
    }
    cache.set(_session_key(session_id), session, SESSION_SECONDS)
    cache.add(idempotency_cache_key, session_id, SESSION_SECONDS)
    return session


def session_retrieve(*, session_id):
    """The stored session (with its "_" keys), or None when there is no such session."""
    return cache.get(_session_key(session_id))


def session_public(session):
    """The session as Stripe's API would return it."""
    return {key: value for key, value in session.items() if not key.startswith("_")}


def session_pay(*, session_id, email=DEMO_EMAIL):
    """The donor pressed Pay: (session, events to deliver), None when there is no such session. Pressing
    it again gives the same events (same ids), which the webhook stores once: a lost delivery is retried
    and a double click counts once."""
    session = session_retrieve(session_id=session_id)
    if session is None:
        return None
    if not cache.add(f"demo-checkout:paid:{session_id}", 1, SESSION_SECONDS):  # paid already, or being paid
        return session, session.get("_events", [])
    now = int(time.time())
    session.update(status="complete", payment_status="paid")
    session["customer_details"] = {"email": email, "name": None, "phone": None, "address": None, "tax_exempt": "none"}
    if session["mode"] == "subscription":
        session["subscription"], session["invoice"] = demo_id("sub"), demo_id("in")
        follow = event_wrap("invoice.paid", invoice_paid(session=session, now=now), now)
    else:
        session["payment_intent"] = demo_id("pi")
        follow = event_wrap("payment_intent.succeeded", payment_intent(session=session), now)
    session["_events"] = [event_wrap("checkout.session.completed", session_public(session), now), follow]
    cache.set(_session_key(session_id), session, SESSION_SECONDS)
    return session, session["_events"]


def event_wrap(type_, obj, now):
    return {
        "id": demo_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": now,
        "data": {"object": obj, "previous_attributes": None},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type_,
    }


def payment_intent(*, session):
    """The PaymentIntent a one-time Checkout payment succeeds with; its metadata from payment_intent_data."""
    return {
        "id": session["payment_intent"],
        "object": "payment_intent",
        "amount": session["amount_total"],
        "amount_received": session["amount_total"],
        "currency": session["currency"],
        "customer": None,
        "invoice": None,
        "latest_charge": demo_id("ch"),
        "livemode": False,
        "metadata": session["_payment_metadata"],
        "status": "succeeded",
    }


def invoice_paid(*, session, now):
    """A subscription's first invoice, metadata under parent.subscription_details (basil and later)."""
    return {
        "id": session["invoice"],
        "object": "invoice",
        "amount_due": session["amount_total"],
        "amount_paid": session["amount_total"],
        "amount_remaining": 0,
        "billing_reason": "subscription_create",
        "currency": session["currency"],
        "customer": demo_id("cus"),
        "customer_email": session["customer_details"]["email"],
        "livemode": False,
        "metadata": {},
        "parent": {
            "quote_details": None,
            "subscription_details": {"metadata": session["_payment_metadata"], "subscription": session["subscription"]},
            "type": "subscription_details",
        },
        "status": "paid",
        "status_transitions": {"finalized_at": now, "marked_uncollectible_at": None, "paid_at": now, "voided_at": None},
    }
