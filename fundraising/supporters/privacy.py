"""A supporter's data (GDPR articles 15 and 17): export everything the app holds about one address at
one organisation, or erase it while keeping every amount, so totals and widgets stay exactly the same.

docs/privacy.md says what is stored, why and for how long."""

import uuid

from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from fundraising.journal.services import journal_scrub
from fundraising.ledger.erasure import donations_anonymise, stand_in_address
from fundraising.ledger.models import Donation
from fundraising.payments.models import PaymentState, StripeEvent, SubscriptionState

from .links import email_normalise
from .models import GiftChange, Notice

DONATION_FIELDS = [
    "id", "campaign_id", "amount", "currency", "kind", "status", "amount_refunded", "amount_disputed",
    "dispute_status", "public_name", "anonymous", "message", "donor_email", "stripe_checkout_session_id",
    "stripe_payment_intent_id", "stripe_charge_id", "stripe_subscription_id", "stripe_invoice_id",
    "subscription_ended_at", "paid_at", "created_at", "updated_at",
]  # fmt: skip


def _donations(*, organization, email):
    return Donation.objects.filter(campaign__organization=organization, donor_email__iexact=email_normalise(email))


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
    notices = Notice.objects.filter(campaign__organization=organization, email__iexact=email_normalise(email))
    return {
        "organization": organization.name,
        "email": email_normalise(email),
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
    """Replace the address, names, messages and Stripe links of the supporter's gifts with nothing (or a
    random stand-in address, shared by all their gifts so the donor counts stay the same). Amounts, dates,
    statuses and periods stay, so every total and widget stays identical. Returns what was erased."""
    email = email_normalise(email)
    stand_in = stand_in_address()
    with transaction.atomic():
        donations = list(
            _donations(organization=organization, email=email)
            .select_related("campaign")
            .select_for_update(of=("self",))
        )
        ids = {
            "intents": {d.stripe_payment_intent_id for d in donations} - {None, ""},
            "charges": {d.stripe_charge_id for d in donations} - {None, ""},
            "invoices": {d.stripe_invoice_id for d in donations} - {None, ""},
            "sessions": {d.stripe_checkout_session_id for d in donations} - {None, ""},
            "subscriptions": {d.stripe_subscription_id for d in donations} - {None, ""},
        }
        donations_anonymise(donations=donations)
        customers = set(
            SubscriptionState.objects.filter(subscription_id__in=ids["subscriptions"]).values_list(
                "customer_id", flat=True
            )
        ) - {""}
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
        events = _events_scrub(needles=[email, *customers, *(id_ for group in ids.values() for id_ in group)])
    return {"donations": len(donations), "emails_sent": erased_notices, "stripe_events": events}


def _events_scrub(*, needles):
    """Stored Stripe events that name the supporter keep their id and type; their object is dropped."""
    needles = [needle for needle in needles if needle]
    if not needles:
        return 0
    match = Q()
    for needle in needles:
        match |= Q(text__icontains=needle)
    scrubbed = 0
    for event in StripeEvent.objects.annotate(text=Cast("payload", TextField())).filter(match).iterator():
        payload = dict(event.payload)
        obj = (payload.get("data") or {}).get("object") or {}
        payload["data"] = {"object": {"id": obj.get("id"), "object": obj.get("object"), "erased": True}}
        StripeEvent.objects.filter(pk=event.pk).update(payload=payload, error="")
        scrubbed += 1
    return scrubbed
