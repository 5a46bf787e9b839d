"""Payment facts: what Stripe last said about each payment's refunds and dispute (PaymentState, Refund),
kept in the currency they happened in, converted to the gift's currency by the payment's own ratio, and
applied to the payment's ledger row when there is one.

Facts only move forward (the largest refunded amount, a dispute that never reopens, a refund status that
never goes back), so any delivery order gives the same totals. Events about one payment are serialised
by locking its PaymentState row. Call inside a transaction."""

import logging

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from fundraising.ledger.models import Donation
from fundraising.ledger.services import donation_settle

from . import readers
from .models import PaymentState, Refund

log = logging.getLogger(__name__)

DISPUTE_RANK = {"": 0, "open": 1, "won": 2, "lost": 2}
# Stripe's dispute statuses once closed; an inquiry closed without a chargeback gives the money back.
DISPUTE_CLOSED = {"won": "won", "lost": "lost", "warning_closed": "won"}
# A refund's status only moves forward; failed and canceled are final and give the money back.
REFUND_RANK = {"": 0, "requires_action": 1, "pending": 1, "succeeded": 2, "failed": 3, "canceled": 3}
REFUND_GONE = ("failed", "canceled")




# --- payment facts ---------------------------------------------------------------------------------


def payment_state_lock(*, payment_intent="", charge_id="", currency=""):
    """The locked PaymentState of a payment, created on first mention; None without any id. `currency` is
    the one the donor was charged in (refunds and disputes are in it), remembered on first mention."""
    if not payment_intent and charge_id:
        existing = PaymentState.objects.filter(charge_id=charge_id).values_list("key", flat=True).first()
        payment_intent = existing or ""
    key = payment_intent or charge_id
    if not key:
        return None
    state = _payment_state_upsert(key)
    if (charge_id and not state.charge_id) or (currency and not state.currency):
        state.charge_id = state.charge_id or charge_id
        state.currency = state.currency or currency
        state.save(update_fields=["charge_id", "currency", "updated_at"])
    return state


PAYMENT_STATE_UPSERT = (
    'INSERT INTO "payments_paymentstate" ("key", "charge_id", "invoice_id", "currency", "amount_refunded", '
    '"refunds_live", "refunds_gone", "amount_disputed", "dispute_status", "conversion_currency", '
    "\"conversion_amount\", \"conversion_source_amount\", \"updated_at\") "
    "VALUES (%s, '', '', '', 0, 0, 0, 0, '', '', 0, 0, %s) "
    'ON CONFLICT ("key") DO UPDATE SET "key" = EXCLUDED."key" RETURNING *'
)


def _payment_state_upsert(key):
    """Create-or-lock in one statement: ON CONFLICT DO UPDATE locks an existing row as FOR UPDATE would,
    and a concurrent first mention waits for ours to commit, then locks the committed row."""
    updated_at = PaymentState._meta.get_field("updated_at").get_db_prep_value(timezone.now(), connection)
    return next(iter(PaymentState.objects.raw(PAYMENT_STATE_UPSERT, [key, updated_at])))


def _dispute_merge(current, new):
    return new if DISPUTE_RANK.get(new, 0) > DISPUTE_RANK.get(current, 0) else current


def amount_convert(amount, *, gift, charged):
    """`amount` of a payment that charged `charged` (presentment currency) for a gift of `gift` (campaign's
    currency), in the campaign's currency: by the payment's own ratio, rounded half to even on the minor
    unit. Taking back all that was charged (or more) takes back the whole gift, so a full refund nets 0."""
    if amount >= charged:
        return gift
    quotient, remainder = divmod(amount * gift, charged)
    if 2 * remainder > charged or (2 * remainder == charged and quotient % 2):
        quotient += 1
    return quotient


def in_gift_currency(amount, *, state, donation):
    """A refund or dispute amount (in the currency the donor was charged) in the donation's currency;
    None while that cannot be known (charged in another currency and no conversion recorded yet)."""
    if not amount or state.currency in ("", donation.currency):
        return min(amount, donation.amount)
    if state.conversion_currency == state.currency and state.conversion_amount:
        return min(amount_convert(amount, gift=donation.amount, charged=state.conversion_amount), donation.amount)
    log.warning("payment %s: %s %s cannot be converted to %s yet", state.key, amount, state.currency,
                donation.currency)  # fmt: skip
    return None


def donation_state_apply(*, donation, state):
    """Copy a payment's refund and dispute facts onto its ledger row, in the gift's currency (clamped to the
    gift). Refunds follow the facts both ways (a failed refund gives the money back); disputes only grow."""
    if state is None:
        return
    if state.key.startswith("pi_") and not donation.stripe_payment_intent_id:
        donation.stripe_payment_intent_id = state.key
    donation.stripe_charge_id = donation.stripe_charge_id or state.charge_id
    refunded = in_gift_currency(state.refunded, state=state, donation=donation)
    disputed = in_gift_currency(state.amount_disputed, state=state, donation=donation)
    if refunded is not None:
        donation.amount_refunded = refunded
    if disputed is not None:
        donation.amount_disputed = min(max(donation.amount_disputed, disputed), donation.amount)
        donation.dispute_status = _dispute_merge(donation.dispute_status, state.dispute_status)


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


# --- refunds and disputes ---------------------------------------------------------------------------


def charge_refund_record(*, charge):
    """Partial or full refund: the charge carries the running total refunded, so keep the largest seen,
    and (API versions before 2022-11-15) the refunds themselves, kept one row each."""
    charge_id = readers.object_id(charge.get("id"))
    state = payment_state_lock(
        payment_intent=readers.object_id(charge.get("payment_intent")),
        charge_id=charge_id,
        currency=readers.charge_amount(charge)[1],
    )
    if state is None:
        return None
    state.amount_refunded = max(state.amount_refunded, readers.charge_refunded(charge))
    state.invoice_id = state.invoice_id or readers.object_id(charge.get("invoice"))
    for refund in readers.charge_refund_list(charge):
        _refund_merge(state=state, refund=refund, charge_id=charge_id)
    _refunds_total(state)
    state.save()
    return payment_state_sync(state=state)


def refund_record(*, refund):
    """A refund created or updated (refund.*, charge.refund.updated): counts even without charge.refunded,
    and one that failed or was canceled gives the money back."""
    charge_id = readers.object_id(refund.get("charge"))
    state = payment_state_lock(
        payment_intent=readers.object_id(refund.get("payment_intent")),
        charge_id=charge_id,
        currency=readers.refund_read(refund)[2],
    )
    if state is None or not _refund_merge(state=state, refund=refund, charge_id=charge_id):
        return None
    _refunds_total(state)
    state.save()
    return payment_state_sync(state=state)


def _refund_merge(*, state, refund, charge_id):
    """Keep one refund's facts: its amount, and its status as far forward as any delivery said."""
    refund_id, amount, currency, status = readers.refund_read(refund)
    if not refund_id:
        return False
    row, created = Refund.objects.get_or_create(
        stripe_id=refund_id,
        defaults={"payment_key": state.key, "charge_id": charge_id, "amount": amount, "currency": currency,
                  "status": status},  # fmt: skip
    )
    if not created and (REFUND_RANK.get(status, 0) > REFUND_RANK.get(row.status, 0) or (amount and not row.amount)):
        if REFUND_RANK.get(status, 0) > REFUND_RANK.get(row.status, 0):
            row.status = status
        row.amount = row.amount or amount
        row.save()
    return True


def _refunds_total(state):
    live = gone = 0
    for amount, status in Refund.objects.filter(payment_key=state.key).values_list("amount", "status"):
        if status in REFUND_GONE:
            gone += amount
        elif REFUND_RANK.get(status, 0) > 0:
            live += amount
    state.refunds_live, state.refunds_gone = live, gone


def dispute_record(*, dispute, closed):
    """Open disputes hold the money back; lost stays deducted, won restores it. Never reopens."""
    amount, currency = readers.dispute_amount(dispute)
    state = payment_state_lock(
        payment_intent=readers.object_id(dispute.get("payment_intent")),
        charge_id=readers.object_id(dispute.get("charge")),
        currency=currency,
    )
    if state is None:
        return None
    status = DISPUTE_CLOSED.get(dispute.get("status"), "open") if closed else "open"
    state.amount_disputed = max(state.amount_disputed, amount)
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
