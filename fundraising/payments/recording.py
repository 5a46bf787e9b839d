"""Payments into ledger rows: claim or create the Donation a payment belongs to, and keep each payment's
refund and dispute facts (PaymentState) in step with it.

Every function stores facts monotonically (a payment's earliest paid time, the largest refunded and
disputed amounts, a dispute that only moves forward), then derives the donation's status from them, so
any delivery order gives the same totals. Events about one payment are serialised by locking its
PaymentState row (PostgreSQL; SQLite serialises writers anyway). Call inside a transaction."""

import contextlib
import contextvars
import logging

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from fundraising.campaigns.models import Campaign
from fundraising.campaigns.services import period_bounds, period_for
from fundraising.ledger.models import Donation
from fundraising.ledger.services import donation_settle

from . import readers
from .models import PaymentState

log = logging.getLogger(__name__)

DISPUTE_RANK = {"": 0, "open": 1, "won": 2, "lost": 2}
# Stripe's dispute statuses once closed; an inquiry closed without a chargeback gives the money back.
DISPUTE_CLOSED = {"won": "won", "lost": "lost", "warning_closed": "won"}


# --- lookups memoised within one drain slice ------------------------------------------------------

# Within one drain slice (well under a second), campaigns by slug and periods by month are read once.
_memo = contextvars.ContextVar("payments_lookups_memo", default=None)


@contextlib.contextmanager
def lookups_memoised():
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def lookups_forget():
    memo = _memo.get()
    if memo is not None:
        memo.clear()


def _memoised(key, load):
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def _campaign(metadata):
    slug = readers.metadata_campaign(metadata)
    if not slug:
        return None
    return _memoised(("campaign", slug), lambda: Campaign.objects.filter(slug=slug).first())


def _period_for(campaign, when):
    start, _ = period_bounds(campaign=campaign, when=when)
    return _memoised(("period", campaign.pk, start), lambda: period_for(campaign=campaign, when=when))


def _locked(**lookup):
    return Donation.objects.select_for_update().filter(**lookup).order_by("created_at").first()


# --- payment facts ---------------------------------------------------------------------------------


def payment_state_lock(*, payment_intent="", charge_id=""):
    """The locked PaymentState of a payment, created on first mention; None without any id."""
    if not payment_intent and charge_id:
        existing = PaymentState.objects.filter(charge_id=charge_id).values_list("key", flat=True).first()
        payment_intent = existing or ""
    key = payment_intent or charge_id
    if not key:
        return None
    state = _payment_state_upsert(key)
    if charge_id and not state.charge_id:
        state.charge_id = charge_id
        state.save(update_fields=["charge_id", "updated_at"])
    return state


PAYMENT_STATE_UPSERT = (
    'INSERT INTO "payments_paymentstate" ("key", "charge_id", "invoice_id", "amount_refunded", "amount_disputed", '
    "\"dispute_status\", \"updated_at\") VALUES (%s, '', '', 0, 0, '', %s) "
    'ON CONFLICT ("key") DO UPDATE SET "key" = EXCLUDED."key" RETURNING *'
)


def _payment_state_upsert(key):
    """Create-or-lock in one statement: ON CONFLICT DO UPDATE locks an existing row as FOR UPDATE would,
    and a concurrent first mention waits for ours to commit, then locks the committed row."""
    updated_at = PaymentState._meta.get_field("updated_at").get_db_prep_value(timezone.now(), connection)
    return next(iter(PaymentState.objects.raw(PAYMENT_STATE_UPSERT, [key, updated_at])))


def _dispute_merge(current, new):
    return new if DISPUTE_RANK.get(new, 0) > DISPUTE_RANK.get(current, 0) else current


def donation_state_apply(*, donation, state):
    """Copy a payment's refund and dispute facts onto its ledger row (clamped to the gift)."""
    if state is None:
        return
    if state.key.startswith("pi_") and not donation.stripe_payment_intent_id:
        donation.stripe_payment_intent_id = state.key
    donation.stripe_charge_id = donation.stripe_charge_id or state.charge_id
    donation.amount_refunded = min(max(donation.amount_refunded, state.amount_refunded), donation.amount)
    donation.amount_disputed = min(max(donation.amount_disputed, state.amount_disputed), donation.amount)
    donation.dispute_status = _dispute_merge(donation.dispute_status, state.dispute_status)


def donation_paid_mark(*, donation, paid_at):
    """Record the payment time; the earliest one wins so replays and late copies change nothing."""
    if donation.paid_at is None or paid_at < donation.paid_at:
        donation.paid_at = paid_at
        donation.period = _period_for(donation.campaign, paid_at)


def payment_state_sync(*, state):
    """After new refund/dispute facts: apply them to the ledger row of that payment, if there is one yet."""
    match = Q(stripe_payment_intent_id=state.key)
    if state.charge_id:
        match |= Q(stripe_charge_id=state.charge_id)
    if state.invoice_id:
        match |= Q(stripe_invoice_id=state.invoice_id)
    donation = Donation.objects.select_for_update().filter(match).first()
    if donation is None:
        return None
    old_period_id = donation.period_id
    donation_state_apply(donation=donation, state=state)
    return donation_settle(donation=donation, old_period_id=old_period_id)


# --- payments into the ledger ----------------------------------------------------------------------


def payment_record(*, metadata, amount, currency, paid_at, payment_intent="", session_id="", email=""):
    """A succeeded one-time payment: claim the app's pending donation, or create one for a payment
    the app did not start (Payment Link) when its metadata names a campaign. Returns the donation or None."""
    state = payment_state_lock(payment_intent=payment_intent)
    donation_id = readers.metadata_donation(metadata)
    donation = _payment_donation(donation_id=donation_id, session_id=session_id, payment_intent=payment_intent)
    if donation is None:
        campaign = _campaign(metadata)
        if campaign is None or amount <= 0 or currency != campaign.currency:
            return None
        donation = Donation(campaign=campaign, amount=amount, currency=currency, kind=Donation.Kind.ONE_TIME)
    if donation.currency != currency or amount <= 0:
        log.warning("payment %s: %s %s does not match donation %s", payment_intent, amount, currency, donation.pk)
        return None
    old_period_id = donation.period_id
    donation.amount = amount  # what Stripe charged is the truth
    donation.stripe_payment_intent_id = donation.stripe_payment_intent_id or payment_intent or None
    donation.stripe_checkout_session_id = donation.stripe_checkout_session_id or session_id or None
    donation.donor_email = donation.donor_email or email or ""
    donation_paid_mark(donation=donation, paid_at=paid_at)
    donation_state_apply(donation=donation, state=state)
    return donation_settle(donation=donation, old_period_id=old_period_id)


def _payment_donation(*, donation_id, session_id, payment_intent):
    """The ledger row a payment belongs to, locked: the app's donation named in the metadata (unless it
    already stands for another payment), else the one of its session, else the one of its payment intent.
    One query for the three lookups."""
    match = Q(pk=donation_id) if donation_id else Q()
    if session_id:
        match |= Q(stripe_checkout_session_id=session_id)
    if payment_intent:
        match |= Q(stripe_payment_intent_id=payment_intent)
    if not match:
        return None
    rows = list(Donation.objects.select_for_update().filter(match).order_by("created_at", "pk"))
    for donation in rows:
        free = not payment_intent or donation.stripe_payment_intent_id in ("", None, payment_intent)
        if donation.pk == donation_id and free:
            return donation
    for donation in rows:
        if session_id and donation.stripe_checkout_session_id == session_id:
            return donation
    for donation in rows:
        if payment_intent and donation.stripe_payment_intent_id == payment_intent:
            return donation
    return None


def checkout_session_fulfil(*, session, paid_at=None):
    """One service for the webhook and the thanks page: count a paid session once, link a subscription."""
    paid_at = paid_at or timezone.now()
    email = readers.session_email(session)
    if session.get("mode") == "subscription":
        return subscription_link(session=session, email=email)
    if session.get("payment_status") != "paid":  # an async method (bank debit) is still on its way
        return None
    amount, currency = readers.session_amount(session)
    return payment_record(
        metadata=readers.metadata_of(session),
        amount=amount,
        currency=currency,
        paid_at=paid_at,
        payment_intent=readers.object_id(session.get("payment_intent")),
        session_id=readers.object_id(session.get("id")),
        email=email,
    )


def _session_donation(session):
    donation_id = readers.metadata_donation(readers.metadata_of(session))
    donation = _locked(pk=donation_id) if donation_id else None
    if donation is None and readers.object_id(session.get("id")):
        donation = _locked(stripe_checkout_session_id=session["id"])
    return donation


def subscription_link(*, session, email=""):
    """A monthly gift's Checkout finished: remember its subscription. The money counts with invoice.paid."""
    donation = _session_donation(session)
    if donation is None:
        return None
    donation.stripe_subscription_id = donation.stripe_subscription_id or readers.object_id(session.get("subscription"))
    donation.stripe_checkout_session_id = donation.stripe_checkout_session_id or session.get("id")
    donation.donor_email = donation.donor_email or email
    return donation_settle(donation=donation, old_period_id=donation.period_id)


def checkout_session_closed(*, session, status):
    """Expired or failed async payment: the pending donation says so, unless it was paid after all."""
    donation = _session_donation(session)
    if donation is None or donation.paid_at is not None:
        return None
    donation.status = status
    return donation_settle(donation=donation)


def invoice_paid_record(*, invoice, paid_at):
    """Every paid monthly invoice counts once, the first one too (it claims the pending donation)."""
    amount, currency = readers.invoice_amount(invoice)
    invoice_id = readers.object_id(invoice.get("id"))
    if amount <= 0 or not invoice_id:  # a trial or fully discounted month moves no money
        return None
    metadata = readers.invoice_metadata(invoice)
    paid_at = readers.invoice_paid_at(invoice) or paid_at
    payment_intent = readers.invoice_payment_intent(invoice)
    if payment_intent:
        state = payment_state_lock(payment_intent=payment_intent, charge_id=readers.object_id(invoice.get("charge")))
    else:
        state = PaymentState.objects.select_for_update().filter(invoice_id=invoice_id).first()
    donation = _locked(stripe_invoice_id=invoice_id)
    donation_id = readers.metadata_donation(metadata)
    if donation is None and donation_id and invoice.get("billing_reason") == "subscription_create":
        donation = _locked(pk=donation_id, stripe_invoice_id__isnull=True)
    subscription_id = readers.invoice_subscription(invoice)
    if donation is None:
        donation = _renewal_donation(metadata=metadata, amount=amount, currency=currency, subscription=subscription_id)
        if donation is None:
            return None
    if donation.currency != currency:
        log.warning("invoice %s: %s does not match donation %s", invoice_id, currency, donation.pk)
        return None
    old_period_id = donation.period_id
    donation.amount = amount
    donation.kind = Donation.Kind.MONTHLY
    donation.stripe_invoice_id = invoice_id
    donation.stripe_subscription_id = donation.stripe_subscription_id or subscription_id
    donation.donor_email = donation.donor_email or invoice.get("customer_email") or ""
    donation_paid_mark(donation=donation, paid_at=paid_at)
    donation_state_apply(donation=donation, state=state)
    return donation_settle(donation=donation, old_period_id=old_period_id)


def _renewal_donation(*, metadata, amount, currency, subscription):
    """A new ledger row for a renewal, carrying the supporter's choices from the subscription's first gift."""
    campaign = _campaign(metadata)
    if campaign is None or currency != campaign.currency:
        return None
    sibling = Donation.objects.filter(stripe_subscription_id=subscription).exclude(stripe_subscription_id="")
    first = sibling.order_by("created_at").first()
    return Donation(
        campaign=campaign,
        amount=amount,
        currency=currency,
        kind=Donation.Kind.MONTHLY,
        public_name=first.public_name if first else "",
        anonymous=first.anonymous if first else False,
        subscription_ended_at=first.subscription_ended_at if first else None,
        donor_email=first.donor_email if first else "",
    )


def charge_refund_record(*, charge):
    """Partial or full refund: the charge carries the running total refunded, so keep the largest seen."""
    state = payment_state_lock(
        payment_intent=readers.object_id(charge.get("payment_intent")), charge_id=readers.object_id(charge.get("id"))
    )
    if state is None:
        return None
    state.amount_refunded = max(state.amount_refunded, readers.charge_refunded(charge))
    state.invoice_id = state.invoice_id or readers.object_id(charge.get("invoice"))
    state.save()
    return payment_state_sync(state=state)


def dispute_record(*, dispute, closed):
    """Open disputes hold the money back; lost stays deducted, won restores it. Never reopens."""
    state = payment_state_lock(
        payment_intent=readers.object_id(dispute.get("payment_intent")),
        charge_id=readers.object_id(dispute.get("charge")),
    )
    if state is None:
        return None
    status = DISPUTE_CLOSED.get(dispute.get("status"), "open") if closed else "open"
    amount = dispute.get("amount")
    state.amount_disputed = max(state.amount_disputed, amount if isinstance(amount, int) and amount > 0 else 0)
    state.dispute_status = _dispute_merge(state.dispute_status, status)
    state.save()
    return payment_state_sync(state=state)


def invoice_payment_link(*, invoice_payment):
    """Newer API versions say which payment intent paid an invoice in invoice_payment.paid."""
    payment = invoice_payment.get("payment") or {}
    state = payment_state_lock(
        payment_intent=readers.object_id(payment.get("payment_intent")),
        charge_id=readers.object_id(payment.get("charge")),
    )
    invoice_id = readers.object_id(invoice_payment.get("invoice"))
    if state is None or not invoice_id:
        return None
    state.invoice_id = invoice_id
    state.save()
    return payment_state_sync(state=state)


def subscription_end_record(*, subscription, ended_at):
    """A monthly donor stopped: mark every gift of that subscription (their months still count)."""
    ended_at = (
        readers.timestamp_read(subscription.get("ended_at"))
        or readers.timestamp_read(subscription.get("canceled_at"))
        or ended_at
    )
    match = Q(stripe_subscription_id=readers.object_id(subscription.get("id")) or "-")
    donation_id = readers.metadata_donation(readers.metadata_of(subscription))
    if donation_id:
        match |= Q(pk=donation_id)
    return Donation.objects.filter(match, subscription_ended_at__isnull=True).update(subscription_ended_at=ended_at)
