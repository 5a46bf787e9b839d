"""Velocity rules on failed payments of our Checkout Sessions (a card declined inside Stripe's page, a session
abandoned until expiry, an asynchronous payment failed): they need no challenge to work.

Each declined attempt (payment_intent.payment_failed) is journalled once under a key naming the payment
intent and the attempt, and counted when the entry is dispatched; a session that closes unpaid counts once,
unless its declines were counted already. Counts live in the cache with the window as their TTL, so every key
is bounded and forgets by itself. Past DONATION_VELOCITY_ADDRESS (per address) or DONATION_VELOCITY_CAMPAIGN
(per campaign) the challenge costs RAISED_FACTOR times more; past DONATION_VELOCITY_PAUSE the campaign opens
no session until the window ends, and its owners get one e-mail. With the cache down nothing is counted and
nothing is raised (logged)."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail

from fundraising.campaigns.summaries import owner_emails
from fundraising.core.mail import mail_error_describe
from fundraising.journal import kinds
from fundraising.journal.services import entry_write
from fundraising.ledger.models import Donation

from . import readers

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
    """A session of ours closed unpaid (expired, or its asynchronous payment failed): count it for its address
    and its campaign, unless the cards declined in it were counted already (one failure is not counted twice)."""
    if _cache(cache.get, f"velocity-declined:{donation.pk}"):
        return
    _cache(cache.set, f"velocity-closed:{donation.pk}", 1, timeout=ADDRESS_KEPT)
    failure_count(donation=donation)


def decline_attempt(intent, when):
    """What names one attempt of a payment intent: the charge Stripe made for it (`latest_charge`, or the
    error's `charge`), else the event's time (an attempt that made no charge, e.g. a failed authentication)."""
    error = intent.get("last_payment_error") or {}
    charge = readers.object_id(intent.get("latest_charge")) or readers.object_id(error.get("charge"))
    return charge or f"at-{int(when.timestamp())}", error.get("decline_code") or error.get("code") or ""


def decline_record(*, intent, when):
    """payment_intent.payment_failed of a session we opened (its metadata names the donation, within the
    campaign it names): journal the attempt once, in the event's transaction. Returns the entry's id, or None
    (not ours, or the attempt was journalled already: a redelivered or replayed event)."""
    metadata = readers.metadata_of(intent)
    donation_id, slug, intent_id = (readers.metadata_donation(metadata), readers.metadata_campaign(metadata),
                                    readers.object_id(intent.get("id")))  # fmt: skip
    donation = Donation.objects.filter(pk=donation_id, campaign__slug=slug).select_related("campaign").first()
    if donation is None or not intent_id:
        return None
    attempt, code = decline_attempt(intent, when)
    return entry_write(
        kind=kinds.PAYMENT_DECLINED,
        key=f"{kinds.PAYMENT_DECLINED}:{intent_id}:{attempt}",
        organization_id=donation.campaign.organization_id,
        campaign_id=donation.campaign_id,
        donation_id=donation.pk,
        data={"payment_intent": intent_id, "attempt": attempt, "code": code},
    )


def declines_count(entries):
    """payment.declined (the journal's consumer): each declined attempt counts once for the address that opened
    the session and for its campaign. The journal's sweep may run this again: a counted entry is remembered. A
    session counts max(its declines, 1 if it closed unpaid) in any delivery order: a first decline arriving
    after the close was counted is the failure the close stood for."""
    window = max(settings.DONATION_VELOCITY_ADDRESS[1], settings.DONATION_VELOCITY_CAMPAIGN[1], ADDRESS_KEPT)
    donations = Donation.objects.select_related("campaign").in_bulk([entry.donation_id for entry in entries])
    for entry in entries:
        donation = donations.get(entry.donation_id)
        if donation is None or not _cache(cache.add, f"velocity-counted:{entry.key}", 1, timeout=window):
            continue
        first = _cache(cache.add, f"velocity-declined:{donation.pk}", 1, timeout=ADDRESS_KEPT)
        if first and _cache(cache.get, f"velocity-closed:{donation.pk}"):
            continue
        failure_count(donation=donation)


def failure_count(*, donation):
    """One failed payment of a session of ours: count it for its address and its campaign."""
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
        try:  # one try bounded by EMAIL_TIMEOUT, often inside the request that applied the event
            send_mail(f"Donations paused for a while: {campaign.title}", body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception as exc:  # noqa: BLE001 -- the next failure counted in the window tries again
            _cache(cache.delete, f"velocity-alerted:{campaign.pk}")
            log.warning("pause alert of campaign %s not sent: %s", campaign.slug, mail_error_describe(exc))
