"""A donor's right to erasure: their personal data leaves the ledger, their gifts keep counting."""

import uuid

from django.db import transaction

from .models import Donation
from .services import donation_settle

ERASED_DOMAIN = "erased.invalid"


def stand_in_address():
    return f"erased-{uuid.uuid4().hex[:20]}@{ERASED_DOMAIN}"


def stand_in_subscription():
    """Stands for an erased gift's subscription: no Stripe id (nothing leads back to Stripe's customer), but one
    per subscription, so its gifts stay one stream, its supporter one supporter and its cancellation counted."""
    return f"erased-{uuid.uuid4().hex[:20]}"


def donations_anonymise(*, donations):
    """Blank the name, message, dedication, e-mail and Stripe links of these (locked) gifts; amounts, dates,
    statuses and periods stay, so every total and widget stays identical. One stand-in address per address as stored:
    donors are counted by exact address, so "Grace@x" and "grace@x" stay two donors if they were two. One stand-in
    per subscription likewise: monthly supporters, new ones, cancellations and the run-rate count by subscription.
    Each row goes through donation_settle, so the periods' running figures move with it and the change is
    journalled (the pipeline rebuilds the wall)."""
    stand_ins = {stored: stand_in_address() for stored in sorted({d.donor_email for d in donations})}
    ids = sorted({d.stripe_subscription_id for d in donations} - {""})
    subscriptions = {subscription_id: stand_in_subscription() for subscription_id in ids}
    for donation in donations:
        donation.donor_email = stand_ins[donation.donor_email] if donation.donor_email else ""
        subscription = subscriptions[donation.stripe_subscription_id] if donation.stripe_subscription_id else ""
        donation.public_name, donation.message, donation.anonymous = "", "", True
        donation.tribute_kind = donation.tribute_name = donation.tribute_notify_email = ""
        donation.tribute_on_wall = donation.tribute_notify_amount = False
        donation.stripe_checkout_session_id = donation.stripe_payment_intent_id = donation.stripe_invoice_id = None
        donation.stripe_charge_id, donation.stripe_subscription_id = "", subscription
        donation_settle(donation=donation)
    return len(donations)


def donor_erase(*, organization_id, email):
    """Anonymise every gift from exactly `email` (any case) to one organisation; returns how many. Another
    organisation's gifts from the same address are its own to erase (supporters.privacy does the rest)."""
    email = (email or "").strip()
    if "@" not in email.strip("@"):
        return 0
    with transaction.atomic():
        gifts = list(
            Donation.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .filter(campaign__organization_id=organization_id, donor_email__iexact=email)
            .order_by("pk")
        )
        return donations_anonymise(donations=gifts)
