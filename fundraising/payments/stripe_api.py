"""The one module that talks to Stripe; the rest of the project calls these functions (and tests patch them)."""

import json
import math
import time

import stripe
from django.conf import settings

from . import demo_checkout, readers

WEBHOOK_TOLERANCE_SECONDS = 300
# Stripe's events nest a dozen levels at most; deeper bodies are refused before anything recurses on them.
EVENT_MAX_DEPTH = 64


class StripeNotConfigured(Exception):
    """STRIPE_SECRET_KEY (or STRIPE_WEBHOOK_SECRET for webhooks) is not set."""


class StripeUnavailable(Exception):
    """Stripe could not be reached or refused the request; the message is safe to log, not to show.
    `retryable` is False when Stripe refused it (trying again gives the same answer), True when it could
    not answer (network, rate limit, its own error)."""

    def __init__(self, message, *, retryable=True):
        super().__init__(message)
        self.retryable = retryable


# Stripe's answers that a second try would not change: a bad request, a card refused, a key without the right.
REFUSALS = (stripe.InvalidRequestError, stripe.CardError, stripe.PermissionError, stripe.AuthenticationError,
            stripe.IdempotencyError)  # fmt: skip


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
        message = f"{type(exc).__name__}: {exc.user_message or exc}"
        raise StripeUnavailable(message, retryable=not isinstance(exc, REFUSALS)) from exc


def _demo_answer(answer, what):
    """What the demo's stand-in answered, or the refusal Stripe would give (no such object, already ended)."""
    if answer is None:
        raise StripeUnavailable(f"InvalidRequestError: the demo checkout refused {what}", retryable=False)
    return answer


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
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise SignatureInvalid(str(exc)) from None
    signed_at = signature_timestamp(signature)
    if signed_at - time.time() > WEBHOOK_TOLERANCE_SECONDS:  # the SDK only refuses old ones
        raise SignatureInvalid(f"signed {int(signed_at - time.time())} s in the future")
    event = json_event_parse(payload)
    if not isinstance(event, dict) or not event.get("id") or not isinstance(event.get("data"), dict):
        raise SignatureInvalid("not a Stripe event")
    return event


def signature_timestamp(signature):
    """The t= of a Stripe-Signature header the SDK has verified (so it is there and a whole number)."""
    for part in signature.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            return int(value)
    raise SignatureInvalid("no timestamp in the signature")


def _constant_refuse(name):
    raise ValueError(f"{name} is not JSON")


def _float_finite(text):
    """A JSON number with a fraction or exponent; one that overflows (1e400 is Infinity) is refused."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is beyond any float")
    return value


def json_event_parse(payload):
    """A JSON body as plain data PostgreSQL's jsonb can store: no NaN or Infinity (nor 1e400), no NUL or unpaired
    surrogate in any string, at most EVENT_MAX_DEPTH levels. Raises SignatureInvalid otherwise."""
    if _nesting_of(payload) > EVENT_MAX_DEPTH:
        raise SignatureInvalid(f"nested deeper than {EVENT_MAX_DEPTH} levels")
    try:
        event = json.loads(payload, parse_constant=_constant_refuse, parse_float=_float_finite)
    except (ValueError, RecursionError) as exc:
        raise SignatureInvalid(f"not JSON: {exc}"[:200]) from None
    stack = [event]
    while stack:  # iterative: the depth is bounded already, but no recursion is needed either
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and ("\x00" in value or not _encodable(value)):
            raise SignatureInvalid("a string PostgreSQL cannot store (NUL or an unpaired surrogate)")
    return event


def _encodable(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _nesting_of(payload):
    """The deepest nesting of [ and { outside strings, by a linear scan of the raw bytes."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in payload:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


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


# --- monthly gifts: what a supporter changes from the manage page ----------------------------------


def subscription_retrieve(*, subscription_id):
    if demo_checkout_active():
        found = demo_checkout.subscription_retrieve(subscription_id=subscription_id)
        return _demo_answer(found, f"retrieving {subscription_id}")
    return _call(lambda: stripe.Subscription.retrieve(subscription_id))


def subscription_amount_change(*, subscription_id, item_id, product_id, currency, amount, idempotency_key,
                               interval="month"):  # fmt: skip
    """Charge `amount` (minor units) every month (or year: `interval`) from the next renewal on, without proration.
    The new price keeps the gift's interval: a price without it would turn a yearly gift into a monthly one."""
    recurring = {"interval": interval}
    price_data = {"currency": currency, "product": product_id, "unit_amount": amount, "recurring": recurring}
    items = [{"id": item_id, "price_data": price_data}]
    if demo_checkout_active():
        changed = demo_checkout.subscription_modify(subscription_id=subscription_id, items=items)
        return _demo_answer(changed, f"changing {subscription_id}")
    return _call(
        lambda: stripe.Subscription.modify(
            subscription_id, items=items, proration_behavior="none", idempotency_key=idempotency_key
        )
    )


def subscription_fee_cover_drop(*, subscription_id, item_id, idempotency_key):
    """Stop billing a monthly gift's card fees cover from the next renewal: its item deleted without proration,
    and the subscription's metadata no longer naming a cover (readers.FEE_COVER_KEY)."""
    items = [{"id": item_id, "deleted": True}]
    metadata = {readers.FEE_COVER_KEY: ""}  # an empty value removes the key
    if demo_checkout_active():
        changed = demo_checkout.subscription_modify(subscription_id=subscription_id, items=items, metadata=metadata)
        return _demo_answer(changed, f"dropping the cover of {subscription_id}")
    return _call(
        lambda: stripe.Subscription.modify(
            subscription_id,
            items=items,
            metadata=metadata,
            proration_behavior="none",
            idempotency_key=idempotency_key,
        )
    )


def subscription_cancel_at_period_end(*, subscription_id, cancel=True):
    """Stop after the month already paid (or undo that with cancel=False)."""
    if demo_checkout_active():
        changed = demo_checkout.subscription_modify(subscription_id=subscription_id, cancel_at_period_end=cancel)
        return _demo_answer(changed, f"stopping {subscription_id}")
    return _call(lambda: stripe.Subscription.modify(subscription_id, cancel_at_period_end=cancel))


def subscription_cancel_now(*, subscription_id):
    if demo_checkout_active():
        ended = demo_checkout.subscription_cancel(subscription_id=subscription_id)
        return _demo_answer(ended, f"ending {subscription_id}")
    return _call(lambda: stripe.Subscription.cancel(subscription_id))


def billing_portal_card_update(*, customer_id, return_url, locale="auto"):
    """A Customer Portal session that opens straight on "update payment method"; returns it (id, url).
    In the demo, a local stand-in page (marked as a test) whose Save sends customer.subscription.updated."""
    if demo_checkout_active():
        return demo_checkout.portal_session_create(customer=customer_id, return_url=return_url, locale=locale,
                                                   site_url=settings.SITE_URL)  # fmt: skip
    return _call(
        stripe.billing_portal.Session.create,
        customer=customer_id,
        return_url=return_url,
        locale=locale,
        flow_data={"type": "payment_method_update", "after_completion": {"type": "redirect",
                                                                         "redirect": {"return_url": return_url}}},
    )  # fmt: skip
