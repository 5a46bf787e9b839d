"""A supporter's data (GDPR articles 15 and 17): export everything the app holds about one address at
one organisation, or erase it while keeping every amount, so totals and widgets stay exactly the same.

docs/privacy.md says what is stored, why and for how long."""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from fundraising.journal.services import journal_scrub
from fundraising.ledger.erasure import donations_anonymise, stand_in_address
from fundraising.ledger.models import Donation
from fundraising.payments import readers
from fundraising.payments.models import PaymentState, StripeEvent, SubscriptionState
from fundraising.payments.stripe_events import stripe_event_process

from .models import GiftChange, Notice

DONATION_FIELDS = [
    "id", "campaign_id", "amount", "fee_cover", "currency", "kind", "status", "amount_refunded", "amount_disputed",
    "dispute_status", "public_name", "anonymous", "message", "tribute_kind", "tribute_name", "tribute_on_wall",
    "tribute_notify_email", "tribute_notify_amount", "donor_email", "stripe_checkout_session_id",
    "stripe_payment_intent_id", "stripe_charge_id", "stripe_subscription_id", "stripe_invoice_id",
    "subscription_ended_at", "paid_at", "created_at", "updated_at",
]  # fmt: skip


class ErasureRefused(Exception):
    """Nothing was erased; the message says why and what to do (for the owner)."""


def address_exact(text):
    """One complete address, lower-cased, or "": empty, a fragment ("@", "x.org"), or more than one
    address ("a@x.org,b@y.org"). Export and erasure work on exactly this, never on a part of it."""
    if not isinstance(text, str) or len(text) > 254:
        return ""
    address = text.strip().lower()
    if any(mark in address for mark in ",;<> \t\r\n"):
        return ""
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _donations(*, organization, email):
    """The organisation's gifts from exactly this address (any case); none for an incomplete address."""
    email = address_exact(email)
    if not email:
        return Donation.objects.none()
    return Donation.objects.filter(campaign__organization=organization, donor_email__iexact=email)


def _tributes_notified(*, organization, email):
    """The organisation's gifts whose dedication names exactly this address to notify."""
    if not email:
        return Donation.objects.none()
    return (
        Donation.objects.filter(campaign__organization=organization, tribute_notify_email__iexact=email)
        .select_related("campaign")
        .order_by("created_at")
    )


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def supporter_export(*, organization, email):
    """Everything stored about the address at this organisation, as JSON-ready data."""
    donations = list(
        _donations(organization=organization, email=email).select_related("campaign").order_by("created_at")
    )
    subscription_ids = sorted({d.stripe_subscription_id for d in donations} - {""})
    email = address_exact(email)
    notices = Notice.objects.filter(campaign__organization=organization, email__iexact=email) if email else []
    return {
        "organization": organization.name,
        "email": email,
        "exported_at": timezone.now().isoformat(),
        "donations": [
            {"campaign": d.campaign.slug, **{field: _plain(getattr(d, field)) for field in DONATION_FIELDS}}
            for d in donations
        ],
        "monthly_gifts": [
            {
                field: _plain(getattr(s, field))
                for field in (
                    "subscription_id",
                    "customer_id",
                    "status",
                    "amount",
                    "fee_cover",
                    "currency",
                    "cancel_at_period_end",
                    "current_period_end",
                    "payment_failed_at",
                )
            }  # fmt: skip
            for s in SubscriptionState.objects.filter(subscription_id__in=subscription_ids)
        ],
        "changes_requested": [
            {
                "subscription_id": c.subscription_id,
                "kind": c.kind,
                "amount": c.amount,
                "requested_at": _plain(c.requested_at),
            }
            for c in GiftChange.objects.filter(subscription_id__in=subscription_ids)
        ],
        # Gifts someone else dedicated and asked us to tell this address about: only what concerns it.
        "dedications_notified": [
            {"campaign": d.campaign.slug, "tribute_kind": d.tribute_kind, "tribute_name": d.tribute_name,
             "paid_at": _plain(d.paid_at)}
            for d in _tributes_notified(organization=organization, email=email)
        ],  # fmt: skip
        "emails_sent": [
            {
                "kind": n.kind,
                "status": n.status,
                "amount": n.amount,
                "created_at": _plain(n.created_at),
                "sent_at": _plain(n.sent_at),
            }
            for n in notices
        ],  # fmt: skip
    }


def supporter_erase(*, organization, email):
    """Replace the address, names, messages and Stripe links of the supporter's gifts at this organisation
    with nothing (or random stand-ins, one per address and one per subscription, so the donor and monthly
    counts stay the same: ledger.erasure.donations_anonymise).
    Amounts, dates, statuses and periods stay, so every total and widget stays identical. Returns what was
    erased; raises ErasureRefused (nothing erased) for an incomplete address or an event not yet applied.

    Only this organisation's rows change: gifts, notices and journal entries are filtered by it, payment
    and subscription rows by the Stripe ids of its gifts, and a stored Stripe event only when it names one of
    those ids or the exact address with one of its campaigns (docs/privacy.md)."""
    email = address_exact(email)
    if not email:
        raise ErasureRefused("Enter one complete e-mail address, like name@example.org.")
    _events_pending_apply(organization=organization, email=email)
    stand_in = stand_in_address()
    with transaction.atomic():
        donations = list(
            _donations(organization=organization, email=email)
            .select_related("campaign")
            .select_for_update(of=("self",))
        )
        ids = _stripe_ids(donations)
        events = _supporter_events(organization=organization, email=email, ids=ids)
        waiting = [event for event in events if event.processed_at is None]
        if waiting:  # arrived since, or failing: scrubbing it would drop a payment nobody recorded
            raise ErasureRefused(_waiting_message(len(waiting)))
        donations_anonymise(donations=donations)
        # As the person a donor asked us to notify: the address leaves the dedication (the gift is not theirs).
        tributes = _tributes_notified(organization=organization, email=email).update(tribute_notify_email="")
        SubscriptionState.objects.filter(subscription_id__in=ids["subscriptions"]).delete()
        GiftChange.objects.filter(subscription_id__in=ids["subscriptions"]).delete()
        PaymentState.objects.filter(
            Q(key__in=ids["intents"] | ids["charges"])
            | Q(charge_id__in=ids["charges"])
            | Q(invoice_id__in=ids["invoices"])
        ).delete()
        notices = Notice.objects.filter(campaign__organization=organization, email__iexact=email)
        erased_notices = 0
        for notice in notices:
            erased_notices += Notice.objects.filter(pk=notice.pk).update(email=stand_in, key=f"erased:{notice.pk}")
        journal_scrub(organization_id=organization.pk, email=email, stand_in=stand_in)
        for event in events:
            _event_scrub(event)
    return {"donations": len(donations), "dedications": tributes, "emails_sent": erased_notices,
            "stripe_events": len(events)}  # fmt: skip


def _waiting_message(count):
    return (
        f"Nothing was erased: {count} Stripe event(s) about this supporter are not applied to the ledger yet "
        "(the worker is behind, or the event fails: see Stripe events). Try again once they are applied."
    )


def _stripe_ids(donations):
    """The Stripe ids of these gifts, and the customers of their subscriptions: this organisation's own."""
    ids = {
        "intents": {d.stripe_payment_intent_id for d in donations} - {None, ""},
        "charges": {d.stripe_charge_id for d in donations} - {None, ""},
        "invoices": {d.stripe_invoice_id for d in donations} - {None, ""},
        "sessions": {d.stripe_checkout_session_id for d in donations} - {None, ""},
        "subscriptions": {d.stripe_subscription_id for d in donations} - {None, ""},
    }
    states = SubscriptionState.objects.filter(subscription_id__in=ids["subscriptions"])
    ids["customers"] = set(states.values_list("customer_id", flat=True)) - {""}
    return ids


def _events_pending_apply(*, organization, email):
    """Apply the supporter's stored events that wait for the worker, so none is scrubbed unapplied (its gift
    would never be recorded). Raises ErasureRefused when one fails."""
    donations = list(_donations(organization=organization, email=email))
    ids = _stripe_ids(donations)
    waiting = [e.pk for e in _supporter_events(organization=organization, email=email, ids=ids, waiting=True)]
    failed = 0
    for event_pk in waiting:
        try:
            stripe_event_process(event_pk=event_pk)
        except Exception:  # kept with its error on the event; the owner is told, nothing is erased
            failed += 1
    if failed:
        raise ErasureRefused(_waiting_message(failed))


def _supporter_events(*, organization, email, ids, waiting=False):
    """Stored Stripe events about this supporter at this organisation (locked when in a transaction).

    The database narrows by substring; each candidate is then read: it must name no other organisation's
    campaign, and either one of the Stripe ids of this organisation's gifts, or the exact address together
    with one of its campaigns. Another organisation's events about the same address are never touched."""
    slugs = set(organization.campaigns.values_list("slug", flat=True))
    known = set().union(*ids.values())
    match = Q(text__icontains=email)
    for needle in known:
        match |= Q(text__icontains=needle)
    rows = StripeEvent.objects.annotate(text=Cast("payload", TextField())).filter(match).order_by("pk")
    if waiting:
        rows = rows.filter(processed_at__isnull=True)
    elif transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    rows = rows.only("pk", "payload", "processed_at")
    return [event for event in rows if _event_names(event.payload, email=email, ids=known, slugs=slugs)]


def _event_names(payload, *, email, ids, slugs):
    strings, campaigns = set(), set()
    _leaves((payload.get("data") or {}).get("object") if isinstance(payload, dict) else None, strings, campaigns)
    if not campaigns <= slugs:
        return False
    if strings & ids:
        return True
    return bool(campaigns) and any(address_exact(text) == email for text in strings if "@" in text)


def _leaves(value, strings, campaigns, depth=0):
    """Every string in a payload, and every campaign slug its metadata names."""
    if depth > 20:
        return
    if isinstance(value, dict):
        slug = readers.metadata_campaign(value)
        if slug:
            campaigns.add(slug)
        for item in value.values():
            _leaves(item, strings, campaigns, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _leaves(item, strings, campaigns, depth + 1)
    elif isinstance(value, str):
        strings.add(value)


def _event_scrub(event):
    """The event keeps its id and type; its object is dropped."""
    payload = dict(event.payload)
    obj = (payload.get("data") or {}).get("object") or {}
    payload["data"] = {"object": {"id": obj.get("id"), "object": obj.get("object"), "erased": True}}
    StripeEvent.objects.filter(pk=event.pk).update(payload=payload, error="")
