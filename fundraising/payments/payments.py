"""The one module that talks to Stripe; the rest of the project calls these functions (and tests patch them)."""

import json

import stripe
from django.conf import settings

from . import demo_checkout

WEBHOOK_TOLERANCE_SECONDS = 300


class StripeNotConfigured(Exception):
    """STRIPE_SECRET_KEY (or STRIPE_WEBHOOK_SECRET for webhooks) is not set."""


class StripeUnavailable(Exception):
    """Stripe could not be reached or refused the request; the message is safe to log, not to show."""


class SignatureInvalid(Exception):
    """A webhook body whose Stripe-Signature does not verify (missing, forged, stale, not JSON)."""


def stripe_configure():
    """Point the SDK at the configured key and, in tests, at a local stand-in for api.stripe.com."""
    if not settings.STRIPE_SECRET_KEY:
        raise StripeNotConfigured("STRIPE_SECRET_KEY is not set")
    stripe.api_key = settings.STRIPE_SECRET_KEY
    stripe.api_base = settings.STRIPE_API_BASE or "https://api.stripe.com"
    # A few automatic retries with backoff cover Stripe's brief hiccups; idempotency keys make them safe.
    stripe.max_network_retries = 2


def _call(function, **params):
    stripe_configure()
    try:
        return function(**params).to_dict()
    except stripe.StripeError as exc:
        raise StripeUnavailable(f"{type(exc).__name__}: {exc.user_message or exc}") from exc


def demo_checkout_active():
    """`make demo` without Stripe: the local test checkout answers. Never with DEBUG off (settings refuse
    it at start; this checks again at each call), never when a real STRIPE_SECRET_KEY is set."""
    return bool(settings.DEBUG and settings.STRIPE_DEMO_CHECKOUT and not settings.STRIPE_SECRET_KEY)


def checkout_ready():
    """Whether a donor can be sent to a checkout page (Stripe's, or the local test one)."""
    return bool(settings.STRIPE_SECRET_KEY) or demo_checkout_active()


def checkout_session_create(*, params, idempotency_key):
    """Create a Checkout Session; returns it as a dict (id, url, ...)."""
    if demo_checkout_active():
        session = demo_checkout.session_create(
            params=params, idempotency_key=idempotency_key, site_url=settings.SITE_URL
        )
        return demo_checkout.session_public(session)
    return _call(stripe.checkout.Session.create, idempotency_key=idempotency_key, **params)


def checkout_session_retrieve(*, session_id):
    if demo_checkout_active():
        session = demo_checkout.session_retrieve(session_id=session_id)
        if session is None:
            raise StripeUnavailable(f"InvalidRequestError: No such checkout.session: {session_id}")
        return demo_checkout.session_public(session)
    return _call(stripe.checkout.Session.retrieve, id=session_id)


def event_list(*, created_gte, limit=100, starting_after=None):
    """One page of the account's events created at or after `created_gte` (unix seconds), newest first."""
    params = {"created": {"gte": created_gte}, "limit": limit}
    if starting_after:
        params["starting_after"] = starting_after
    return _call(stripe.Event.list, **params)


def webhook_event_verify(*, payload, signature):
    """The event dict of a webhook body whose signature verifies with STRIPE_WEBHOOK_SECRET.

    Verification is local (HMAC over the raw body); it lives here because it is the SDK's job."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise StripeNotConfigured("STRIPE_WEBHOOK_SECRET is not set")
    if not signature:
        raise SignatureInvalid("no Stripe-Signature header")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature, settings.STRIPE_WEBHOOK_SECRET, WEBHOOK_TOLERANCE_SECONDS
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise SignatureInvalid(str(exc)) from None
    if not isinstance(event, dict) or not event.get("id") or not isinstance(event.get("data"), dict):
        raise SignatureInvalid("not a Stripe event")
    return event


def webhook_signature_header(*, payload, secret, timestamp=None):
    """A Stripe-Signature header for `payload` (str), as Stripe computes it; for simulate_donation and tests."""
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)


def webhook_endpoint_list():
    """Every webhook endpoint of the account (as dicts), all pages."""
    endpoints, starting_after = [], None
    while True:
        params = {"limit": 100, **({"starting_after": starting_after} if starting_after else {})}
        page = _call(stripe.WebhookEndpoint.list, **params)
        endpoints.extend(page.get("data") or [])
        if not page.get("has_more") or not page.get("data"):
            return endpoints
        starting_after = page["data"][-1]["id"]


def webhook_endpoint_create(*, url, enabled_events, description):
    """A new endpoint sending `enabled_events` to `url` in the API version the pinned SDK reads; Stripe
    returns its signing secret only in this answer."""
    return _call(stripe.WebhookEndpoint.create, url=url, enabled_events=list(enabled_events),
                 api_version=stripe.api_version, description=description)  # fmt: skip


def webhook_endpoint_update(*, endpoint_id, enabled_events):
    def modify(**params):
        return stripe.WebhookEndpoint.modify(endpoint_id, **params)

    return _call(modify, enabled_events=list(enabled_events), disabled=False)


OBJECT_LISTS = {
    "checkout_session": lambda: stripe.checkout.Session.list,
    "payment_intent": lambda: stripe.PaymentIntent.list,
    "invoice": lambda: stripe.Invoice.list,
    "charge": lambda: stripe.Charge.list,
    "refund": lambda: stripe.Refund.list,
    "dispute": lambda: stripe.Dispute.list,
}


def object_list(*, kind, created_gte, limit=100, starting_after=None):
    """One page of the account's objects of `kind` (a key of OBJECT_LISTS) created at or after
    `created_gte` (unix seconds), newest first."""
    params = {"created": {"gte": created_gte}, "limit": limit}
    if starting_after:
        params["starting_after"] = starting_after
    return _call(OBJECT_LISTS[kind](), **params)
