"""Velocity rules on failed Checkout Sessions (declined, abandoned until expiry): they need no challenge to work.

Counts live in the cache with the window as their TTL, so every key is bounded and forgets by itself. Past
DONATION_VELOCITY_ADDRESS (per address) or DONATION_VELOCITY_CAMPAIGN (per campaign) the challenge costs
RAISED_FACTOR times more; past DONATION_VELOCITY_PAUSE the campaign opens no session until the window ends, and
its owners get one e-mail. With the cache down nothing is counted and nothing is raised (logged)."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail

from fundraising.campaigns.summaries import owner_emails

log = logging.getLogger(__name__)

RAISED_FACTOR = 10
# A session's address is remembered this long: Stripe expires an abandoned session after 24 hours.
ADDRESS_KEPT = 25 * 3600


def _address_key(client_ip):
    """Addresses are kept hashed: the cache never holds a donor's IP in the clear."""
    return hashlib.sha256(f"velocity:{settings.SECRET_KEY}:{client_ip}".encode()).hexdigest()[:32]


def _cache(call, *args, default=None, **kwargs):
    try:
        return call(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 -- a dead cache must not stop donations
        log.warning("velocity rules skipped, cache unavailable: %s", exc)
        return default


def _count(key, seconds):
    def take():
        cache.add(key, 0, timeout=seconds)
        try:
            return cache.incr(key)
        except ValueError:  # the window expired between add and incr
            cache.set(key, 1, timeout=seconds)
            return 1

    return _cache(take, default=0)


def _over(key, limit):
    return (_cache(cache.get, key, default=0) or 0) >= limit[0]


def session_address_remember(*, donation_id, client_ip):
    """Which address opened a session, so its failure later counts against that address."""
    _cache(cache.set, f"velocity-session:{donation_id}", _address_key(client_ip), timeout=ADDRESS_KEPT)


def session_failure_count(*, donation):
    """A session of ours was declined or expired unpaid: count it for its address and its campaign."""
    address = _cache(cache.get, f"velocity-session:{donation.pk}")
    if address:
        _count(f"velocity-address:{address}", settings.DONATION_VELOCITY_ADDRESS[1])
    campaign_failures = _count(f"velocity-campaign:{donation.campaign_id}", settings.DONATION_VELOCITY_CAMPAIGN[1])
    if campaign_failures >= settings.DONATION_VELOCITY_PAUSE[0]:
        campaign_pause_alert(campaign=donation.campaign)


def challenge_difficulty(*, campaign, client_ip):
    """ALTCHA_DIFFICULTY, times RAISED_FACTOR for an address or a campaign past its failure rate."""
    raised = _over(f"velocity-address:{_address_key(client_ip)}", settings.DONATION_VELOCITY_ADDRESS) or _over(
        f"velocity-campaign:{campaign.pk}", settings.DONATION_VELOCITY_CAMPAIGN
    )
    return settings.ALTCHA_DIFFICULTY * (RAISED_FACTOR if raised else 1)


def campaign_paused(*, campaign):
    """True while the campaign's failed sessions in the window reach DONATION_VELOCITY_PAUSE."""
    return _over(f"velocity-campaign:{campaign.pk}", settings.DONATION_VELOCITY_PAUSE)


def campaign_pause_alert(*, campaign):
    """Tell the organisation's owners once per window that new sessions are paused."""
    if not _cache(cache.add, f"velocity-alerted:{campaign.pk}", 1, timeout=settings.DONATION_VELOCITY_PAUSE[1]):
        return
    recipients = owner_emails(campaign.organization)
    count, seconds = settings.DONATION_VELOCITY_PAUSE
    log.warning("campaign %s paused: %s failed Checkout Sessions within %s s", campaign.slug, count, seconds)
    if recipients:
        body = (
            f"At least {count} Checkout Sessions of “{campaign.title}” were declined or abandoned within "
            f"{seconds // 60} minutes, which looks like card testing. The donation page opens no new session "
            f"until that window has passed; nothing else changed.\n\n"
            f"Stripe's Radar rules for donation sites: docs/security.md. {settings.SITE_URL}/c/{campaign.slug}/\n"
        )
        send_mail(f"Donations paused for a while: {campaign.title}", body, settings.DEFAULT_FROM_EMAIL, recipients)
