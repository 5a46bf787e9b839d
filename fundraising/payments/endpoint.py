"""The webhook endpoint in Stripe: the one for SITE_URL must send exactly the events the app handles
(handlers.REQUIRED_EVENTS). `stripe_webhook_setup` creates or updates it; reconciliation, a deploy check
and /healthz say when it misses one."""

import dataclasses

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from . import stripe_api
from .handlers import REQUIRED_EVENTS

DESCRIPTION = "fundraising: donations into the ledger (managed by manage.py stripe_webhook_setup)"
# What the last check found, for /healthz (which must not call Stripe on every probe).
CHECK_KEY = "stripe:endpoint-check"


def endpoint_url():
    return settings.SITE_URL + reverse("stripe-webhook")


def endpoint_missing(endpoint):
    """The required events an endpoint does not send (nothing when it sends every event, `*`)."""
    if endpoint is None:
        return list(REQUIRED_EVENTS)
    enabled = set(endpoint.get("enabled_events") or [])
    if "*" in enabled and endpoint.get("status") != "disabled":
        return []
    if endpoint.get("status") == "disabled":
        return list(REQUIRED_EVENTS)
    return [name for name in REQUIRED_EVENTS if name not in enabled]


def endpoint_find():
    """The account's endpoint for this site's webhook URL, or None."""
    url = endpoint_url()
    return next((e for e in stripe_api.webhook_endpoint_list() if e.get("url") == url), None)


@dataclasses.dataclass
class Setup:
    endpoint: dict
    created: bool
    added: list
    removed: list


def endpoint_setup():
    """Create the endpoint for SITE_URL, or set its events to exactly REQUIRED_EVENTS. Raises
    stripe_api.StripeNotConfigured / stripe_api.StripeUnavailable."""
    existing = endpoint_find()
    if existing is None:
        endpoint = stripe_api.webhook_endpoint_create(url=endpoint_url(), enabled_events=REQUIRED_EVENTS,
                                                    description=DESCRIPTION)  # fmt: skip
        endpoint_check_store(missing=[])
        return Setup(endpoint=endpoint, created=True, added=list(REQUIRED_EVENTS), removed=[])
    enabled = set(existing.get("enabled_events") or [])
    endpoint = stripe_api.webhook_endpoint_update(endpoint_id=existing["id"], enabled_events=REQUIRED_EVENTS)
    endpoint_check_store(missing=[])
    return Setup(
        endpoint=endpoint,
        created=False,
        added=sorted(set(REQUIRED_EVENTS) - enabled),
        removed=sorted(enabled - set(REQUIRED_EVENTS)),
    )


def endpoint_check():
    """The required events the endpoint for SITE_URL misses (all of them when there is none); remembered
    for /healthz. Raises stripe_api.StripeNotConfigured / stripe_api.StripeUnavailable."""
    missing = endpoint_missing(endpoint_find())
    endpoint_check_store(missing=missing)
    return missing


def endpoint_check_store(*, missing):
    cache.set(CHECK_KEY, {"missing_events": missing, "checked_at": timezone.now().isoformat()}, timeout=None)


def endpoint_check_last():
    """What the last check found ({missing_events, checked_at}), or None if none ran."""
    return cache.get(CHECK_KEY)
