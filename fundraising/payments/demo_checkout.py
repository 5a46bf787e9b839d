"""A local test checkout for `make demo` without a Stripe account (STRIPE_DEMO_CHECKOUT=1, DEBUG only).

stripe_api.py hands it Checkout Session creation and retrieval when it is on, so donation_checkout_start
and the thanks page run unchanged. Sessions live in the cache for a day, as Stripe's expire. Paying
turns a session into what Stripe would then hold and returns the events Stripe would send, in Stripe's
shapes (API version 2026-10-28.endive); fundraising/payments/demo_views.py signs and POSTs them to the
real webhook. No card, no network: nothing here talks to Stripe.

Monthly gifts' later changes (the manage page: new amount, stop, a new card through a stand-in of the
Customer Portal) are answered here too, each confirmed by the signed customer.subscription.updated or
.deleted event Stripe would send, POSTed to the real webhook before the call returns."""

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from . import readers
from .models import SubscriptionState
from .readers import FEE_COVER_KEY

log = logging.getLogger(__name__)

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
    lines = [(line["price_data"], int(line["price_data"]["unit_amount"]) * int(line.get("quantity", 1)))
             for line in params["line_items"]]  # fmt: skip
    price = lines[0][0]
    amount = sum(line_amount for _, line_amount in lines)  # a card fees cover is a second line
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
        "_lines": [[line_price["product_data"]["name"], line_amount] for line_price, line_amount in lines],
        "_interval": (price.get("recurring") or {}).get("interval", "month") if monthly else "",
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
    follow = []
    if session["mode"] == "subscription":
        session["subscription"], session["invoice"], session["customer"] = demo_id("sub"), demo_id("in"), demo_id("cus")
        subscription = subscription_new(session=session, now=now)
        subscription_store(subscription)
        follow.append(event_wrap("customer.subscription.created", subscription, now))
        follow.append(event_wrap("invoice.paid", invoice_paid(session=session, now=now), now))
    else:
        session["payment_intent"] = demo_id("pi")
        follow.append(event_wrap("payment_intent.succeeded", payment_intent(session=session), now))
    session["_events"] = [event_wrap("checkout.session.completed", session_public(session), now), *follow]
    cache.set(_session_key(session_id), session, SESSION_SECONDS)
    return session, session["_events"]


def event_wrap(type_, obj, now, previous_attributes=None):
    return {
        "id": demo_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": now,
        "data": {"object": obj, "previous_attributes": previous_attributes},
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


def period_seconds(interval):
    """The stand-in's billing period: 30 days for a monthly price, 365 for a yearly one."""
    return (365 if interval == "year" else 30) * 86400


def invoice_paid(*, session, now):
    """A subscription's first invoice, metadata under parent.subscription_details (basil and later); one line per
    subscription item (_invoice_line)."""
    return {
        "id": session["invoice"],
        "object": "invoice",
        "amount_due": session["amount_total"],
        "amount_paid": session["amount_total"],
        "amount_remaining": 0,
        "billing_reason": "subscription_create",
        "currency": session["currency"],
        "customer": session["customer"],
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
        "lines": {"object": "list", "has_more": False, "url": f"/v1/invoices/{session['invoice']}/lines",
                  "data": [_invoice_line(session=session, name=name, amount=cost, now=now)
                           for name, cost in _lines(session)]},
    }  # fmt: skip


def _lines(session):
    """[name, amount] of each line of a session (the gift, then a card fees cover if any)."""
    return session.get("_lines") or [[session["_product"], session["amount_total"]]]


def _invoice_line(*, session, name, amount, now):
    """One line of an invoice (fixtures3's line_item shape, trimmed): what one subscription item bills (the gift,
    or its card fees cover) for the first period, which is how a yearly invoice reads as one."""
    return {
        "id": demo_id("il"), "object": "line_item", "amount": amount, "currency": session["currency"],
        "description": f"1 × {name}", "invoice": session["invoice"], "livemode": False, "metadata": {},
        "parent": {"invoice_item_details": None, "type": "subscription_item_details",
                   "subscription_item_details": {"invoice_item": None, "proration": False, "proration_details": None,
                                                 "subscription": session["subscription"], "subscription_item": None}},
        "period": {"start": now, "end": now + period_seconds(session.get("_interval"))},
        "pricing": {"price_details": {"price": demo_id("price"), "product": demo_id("prod")}, "type": "price_details",
                    "unit_amount_decimal": str(amount)},
        "quantity": 1, "subtotal": amount,
    }  # fmt: skip


# --- monthly gifts after Checkout: the subscription, its changes, the Customer Portal's card update --------


def _subscription_key(subscription_id):
    return f"demo-checkout:subscription:{subscription_id}"


def subscription_object(*, subscription_id, customer, amount, currency, metadata, item_id, product_id, period_end,
                        now, status="active", interval="month"):  # fmt: skip
    """A Subscription as customer.subscription.* events carry it on the pinned API version: the amount and
    the paid period's end live on its one item (basil and later)."""
    period = period_seconds(interval)
    price = {
        "id": demo_id("price"), "object": "price", "active": True, "currency": currency, "product": product_id,
        "recurring": {"interval": interval, "interval_count": 1, "meter": None, "trial_period_days": None,
                      "usage_type": "licensed"},
        "type": "recurring", "unit_amount": amount, "unit_amount_decimal": str(amount),
    }  # fmt: skip
    item = {"id": item_id, "object": "subscription_item", "current_period_start": period_end - period,
            "current_period_end": period_end, "metadata": {}, "price": price, "quantity": 1,
            "subscription": subscription_id}  # fmt: skip
    return {
        "id": subscription_id,
        "object": "subscription",
        "billing_cycle_anchor": period_end - period,
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": None,
        "collection_method": "charge_automatically",
        "created": now,
        "currency": currency,
        "customer": customer,
        "default_payment_method": demo_id("pm"),
        "ended_at": None,
        "items": {"object": "list", "data": [item], "has_more": False,
                  "url": f"/v1/subscription_items?subscription={subscription_id}"},  # fmt: skip
        "latest_invoice": None,
        "livemode": False,
        "metadata": metadata,
        "start_date": now,
        "status": status,
    }


def subscription_new(*, session, now):
    """The subscription a paid subscription-mode session starts (its first month paid): one item per line."""
    lines = _lines(session)
    subscription = subscription_object(
        subscription_id=session["subscription"], customer=session["customer"], amount=lines[0][1],
        currency=session["currency"], metadata=session["_payment_metadata"], item_id=demo_id("si"),
        product_id=demo_id("prod"), period_end=now + period_seconds(session.get("_interval")), now=now,
        interval=session.get("_interval") or "month",
    )  # fmt: skip
    for _, amount in lines[1:]:
        subscription_item_add(subscription, amount=amount)
    return subscription


def subscription_item_add(subscription, *, amount, item_id=None):
    """Another item on a subscription, like its first with its own price and product (a card fees cover)."""
    first = subscription["items"]["data"][0]
    price = dict(first["price"], id=demo_id("price"), product=demo_id("prod"), unit_amount=amount,
                 unit_amount_decimal=str(amount))  # fmt: skip
    subscription["items"]["data"].append(dict(first, id=item_id or demo_id("si"), price=price))


def subscription_store(subscription):
    cache.set(_subscription_key(subscription["id"]), subscription, SESSION_SECONDS * 90)


def subscription_retrieve(*, subscription_id):
    """The subscription as this stand-in holds it; one it no longer (or never) held, such as the demo's
    seeded history, is rebuilt from what its webhooks recorded. None when neither knows it."""
    subscription = cache.get(_subscription_key(subscription_id))
    if subscription is not None:
        return subscription
    state = SubscriptionState.objects.filter(subscription_id=subscription_id).select_related("campaign").first()
    if state is None or not state.amount:
        return None
    now = int(time.time())
    period_end = int(state.current_period_end.timestamp()) if state.current_period_end else now + 30 * 86400
    subscription = subscription_object(
        subscription_id=subscription_id, customer=state.customer_id or demo_id("cus"), amount=state.amount,
        currency=state.currency, metadata={"fundraising_campaign": state.campaign.slug} if state.campaign else {},
        item_id=state.item_id or demo_id("si"), product_id=state.product_id or demo_id("prod"),
        period_end=period_end, now=now, status=state.status or "active",
    )  # fmt: skip
    if state.fee_cover:
        subscription["metadata"][FEE_COVER_KEY] = str(state.fee_cover)
        subscription_item_add(subscription, amount=state.fee_cover, item_id=state.fee_cover_item_id or None)
    if state.cancel_at_period_end:
        subscription.update(cancel_at_period_end=True, cancel_at=period_end, canceled_at=now)
    subscription_store(subscription)
    return subscription


def _changed(subscription, type_, previous):
    now = int(time.time())
    subscription_store(subscription)
    events_deliver([event_wrap(type_, json.loads(json.dumps(subscription)), now, previous)])
    return subscription


def subscription_modify(*, subscription_id, items=None, cancel_at_period_end=None, metadata=None):
    """Stripe's POST /v1/subscriptions/<id> for what the manage page asks: a new price on the gift's item
    (price_data), an item deleted (the card fees cover dropped) with the metadata it leaves, or
    cancel_at_period_end; answers with the subscription once its event is delivered."""
    subscription = subscription_retrieve(subscription_id=subscription_id)
    if subscription is None or subscription["status"] == "canceled":
        return None
    previous = {}
    item = readers.subscription_item(subscription)
    for change in items or []:
        if change.get("deleted") is True:
            kept = [other for other in subscription["items"]["data"] if other["id"] != change.get("id")]
            if len(kept) == len(subscription["items"]["data"]) or not kept:
                return None  # Stripe answers 400: no such item, or the subscription's last one
            previous["items"] = json.loads(json.dumps(subscription["items"]))
            subscription["items"]["data"] = kept
            continue
        if change.get("id") != item["id"] or change["price_data"]["product"] != item["price"]["product"]:
            return None  # Stripe answers 400: not this subscription's item or product
        previous["items"] = json.loads(json.dumps(subscription["items"]))
        amount = int(change["price_data"]["unit_amount"])
        recurring = dict(item["price"]["recurring"], **(change["price_data"].get("recurring") or {}))
        item["price"] = dict(item["price"], id=demo_id("price"), unit_amount=amount, unit_amount_decimal=str(amount),
                             recurring=recurring)  # fmt: skip
    if metadata is not None:  # Stripe merges it; an empty value removes the key
        previous["metadata"] = dict(subscription["metadata"])
        subscription["metadata"] = {key: value for key, value in {**subscription["metadata"], **metadata}.items()
                                    if value != ""}  # fmt: skip
    if cancel_at_period_end is not None:
        previous.update({key: subscription[key] for key in ("cancel_at", "cancel_at_period_end", "canceled_at")})
        subscription["cancel_at_period_end"] = cancel_at_period_end
        subscription["cancel_at"] = item["current_period_end"] if cancel_at_period_end else None
        subscription["canceled_at"] = int(time.time()) if cancel_at_period_end else None
    return _changed(subscription, "customer.subscription.updated", previous)


def subscription_cancel(*, subscription_id):
    """Stripe's DELETE /v1/subscriptions/<id>: stopped now; customer.subscription.deleted follows."""
    subscription = subscription_retrieve(subscription_id=subscription_id)
    if subscription is None or subscription["status"] == "canceled":
        return None
    now = int(time.time())
    subscription.update(status="canceled", canceled_at=now, ended_at=now)
    return _changed(subscription, "customer.subscription.deleted", None)


def _portal_key(session_id):
    return f"demo-checkout:portal:{session_id}"


def portal_session_create(*, customer, return_url, locale, site_url):
    """A billing_portal.session opening on "update payment method", its url the local stand-in page."""
    session_id = demo_id("bps_test")
    session = {
        "id": session_id,
        "object": "billing_portal.session",
        "configuration": demo_id("bpc"),
        "created": int(time.time()),
        "customer": customer,
        "flow": {"type": "payment_method_update"},
        "livemode": False,
        "locale": locale,
        "on_behalf_of": None,
        "return_url": return_url,
        "url": site_url + reverse("demo-portal", args=[session_id]),
    }
    cache.set(_portal_key(session_id), session, SESSION_SECONDS)
    return session


def portal_session_retrieve(*, session_id):
    return cache.get(_portal_key(session_id))


def portal_card_update(*, session_id):
    """The supporter saved a new (test) card in the portal: each of the customer's running subscriptions
    pays with it from now on, which Stripe announces with customer.subscription.updated."""
    session = portal_session_retrieve(session_id=session_id)
    if session is None:
        return None
    method = demo_id("pm")
    running = SubscriptionState.objects.filter(customer_id=session["customer"]).exclude(status="canceled")
    for subscription_id in running.values_list("subscription_id", flat=True):
        subscription = subscription_retrieve(subscription_id=subscription_id)
        if subscription is not None and subscription["status"] != "canceled":
            previous = {"default_payment_method": subscription["default_payment_method"]}
            subscription["default_payment_method"] = method
            if subscription["status"] == "past_due":  # Stripe retries the open invoice with the new card
                subscription["status"], previous["status"] = "active", "past_due"
            _changed(subscription, "customer.subscription.updated", previous)
    return session


def signature_header(*, payload, secret, timestamp=None):
    """A Stripe-Signature header for `payload` (str), as Stripe computes it (v1: HMAC-SHA256 of "t.payload")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def events_deliver(events):
    """POST each event to SITE_URL/stripe/webhook/, signed as Stripe signs it; returns the HTTP statuses.
    A failure is logged, not raised: Stripe too would retry later, and the pages say what is confirmed."""
    return [event_post(event) for event in events]


def event_post(event):
    url = settings.SITE_URL + reverse("stripe-webhook")
    body = json.dumps(event)
    header = signature_header(payload=body, secret=settings.STRIPE_WEBHOOK_SECRET)
    request = urllib.request.Request(  # noqa: S310 - SITE_URL is http(s), checked by settings
        url, data=body.encode(), method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        log.error("demo checkout: %s %s answered %s", event["type"], url, exc.code)
        return exc.code
    except urllib.error.URLError as exc:
        log.error("demo checkout: could not POST %s to %s (is SITE_URL this server?): %s", event["type"], url, exc)
        return None
