"""The thanks page's early count of a gift: asks Stripe about a Checkout Session only when this app created it.

Anyone can put a `session_id` in the URL, and each look-up spends the account's API rate limit that
Checkout shares; so only ids stored on one of the campaign's pending donations are looked up, each at
most once per LOOKUP_SECONDS, and at most LOOKUP_RATE per client IP. Otherwise the page says the gift
is on its way and the webhook counts it."""

import logging

from django.db import transaction

from fundraising.core.ratelimit import once_take, once_taken, rate_take
from fundraising.ledger.models import Donation
from fundraising.ledger.services import period_recompute

from . import readers, recording, stripe_api

log = logging.getLogger(__name__)

LOOKUP_SECONDS = 10
LOOKUP_RATE = (10, 60)  # Stripe look-ups per client IP per window


def _ip_allows(client_ip):
    return rate_take(key=f"thanks-rate:{client_ip}", limit=LOOKUP_RATE)


def thanks_donation(*, campaign, session_id, client_ip):
    """The campaign's donation behind `session_id`, counted if Stripe says it is paid; None when unknown."""
    if not session_id.startswith("cs_"):
        return None
    donation = Donation.objects.filter(campaign=campaign, stripe_checkout_session_id=session_id).first()
    if donation is None or donation.paid_at is not None:  # not ours, or already counted: nothing to ask
        return donation
    marker = f"thanks-lookup:{donation.pk}"
    # Both limits degrade to per-process counters while the cache is down (core/ratelimit.py): never a 500.
    if once_taken(key=marker) or not _ip_allows(client_ip) or not once_take(key=marker, seconds=LOOKUP_SECONDS):
        return None
    try:
        session = stripe_api.checkout_session_retrieve(session_id=session_id)
    except (stripe_api.StripeUnavailable, stripe_api.StripeNotConfigured) as exc:
        log.warning("thanks page could not read session %s: %s", session_id, exc)
        return None
    if readers.metadata_campaign(readers.metadata_of(session)) != campaign.slug:
        return None
    with transaction.atomic():
        donation = recording.checkout_session_fulfil(session=session)
    if donation is not None and donation.period_id:
        period_recompute(period_id=donation.period_id)  # the bar below shows this gift now
    return donation
