"""Stripe events into the ledger: stored once, processed idempotently, the same totals in any order.

Every handler stores facts monotonically (a payment's earliest paid time, the largest refunded and
disputed amounts, a dispute that only moves forward), then derives the donation's status from them
and tells the ledger which periods changed. Events about one payment are serialised by locking its
PaymentState row (PostgreSQL; SQLite serialises writers anyway)."""

import contextlib
import contextvars
import datetime
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from fundraising.campaigns import services as ledger
from fundraising.campaigns.models import Campaign, Donation

from . import payments
from .models import PaymentState, StripeEvent

log = logging.getLogger(__name__)

DISPUTE_RANK = {"": 0, "open": 1, "won": 2, "lost": 2}
# Stripe's dispute statuses once closed; an inquiry closed without a chargeback gives the money back.
DISPUTE_CLOSED = {"won": "won", "lost": "lost", "warning_closed": "won"}


# --- storing events ---------------------------------------------------------------------------


def event_store(*, payload, signature):
    """Verify a webhook body and store its event; raises payments.SignatureInvalid / StripeNotConfigured."""
    event = payments.webhook_event_verify(payload=payload, signature=signature)
    record, _ = event_record(event=event)
    return record


def event_record(*, event):
    """Store an event dict (from a webhook or Stripe's API) once; a new one is processed after commit.

    Returns (StripeEvent, created). A second delivery of the same event id is a no-op. The insert is
    tried first (one statement on the usual path); the unique Stripe id turns a duplicate into a read."""
    created_at = event.get("created")
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                stripe_id=event["id"],
                type=str(event.get("type", ""))[:100],
                api_version=str(event.get("api_version") or "")[:40],
                livemode=bool(event.get("livemode")),
                payload=event,
                stripe_created_at=_when(created_at) if isinstance(created_at, int) else None,
            )
            transaction.on_commit(events_drain_enqueue)
    except IntegrityError:
        return StripeEvent.objects.get(stripe_id=event["id"]), False
    return record, True


def event_enqueue(*, event_pk, countdown=None):
    """Queue one event's own processing (sweep, retries). With the broker down the event stays stored
    and unprocessed; the sweep queues it later."""
    from kombu.exceptions import OperationalError

    from .tasks import event_process

    try:
        event_process.apply_async((event_pk,), countdown=countdown)
    except OperationalError:
        log.warning("broker unavailable, event %s left to the sweep", event_pk)


# How long "a drain is queued" holds; only matters if that task is lost (the sweep catches up anyway).
DRAIN_QUEUED_SECONDS = 60
# One drain works this long at most, then hands over to a fresh one, so refreshes get a worker in between.
DRAIN_SLICE_SECONDS = 0.25
DRAIN_SLICE_EVENTS = 1000
# Events applied per transaction: one commit (and one claim, one update) for the lot.
DRAIN_BATCH = 50


def _drain_key(slot):
    return f"stripe-events-drain-queued:{slot}"


def events_drain_enqueue(*, slots=1):
    """Queue a drain of new events unless one is already waiting to start in the first `slots` slots:
    Celery's overhead is paid per burst, not per event. With the broker down the webhook still answers
    200 (Stripe would otherwise retry for days) and the sweep processes the stored events later."""
    from kombu.exceptions import OperationalError

    from .tasks import events_drain

    for slot in range(slots):
        if cache.add(_drain_key(slot), 1, DRAIN_QUEUED_SECONDS):
            break
    else:
        return False
    try:
        events_drain.delay(slot)
    except OperationalError:
        cache.delete(_drain_key(slot))
        log.warning("broker unavailable, new events left to the sweep")
        return False
    return True


def events_drain(*, slot=0, seconds=DRAIN_SLICE_SECONDS, limit=DRAIN_SLICE_EVENTS):
    """Process new events in received order until none is left or the slice is used up (then another
    drain is queued). Returns how many were applied.

    The slot's mark is cleared before the first read: an event committed after that queues another drain,
    one committed before it is seen here. Concurrent drains skip each other's locked events. A drain that
    runs out of time hands over in any of STRIPE_EVENT_DRAINS slots, so a backlog keeps that many busy
    while webhooks only ever fill the first."""
    cache.delete(_drain_key(slot))
    deadline = time.monotonic() + seconds
    done = 0
    with lookups_memoised():
        while done < limit and time.monotonic() < deadline:
            applied = events_batch_apply(size=min(DRAIN_BATCH, limit - done))
            if applied is None:
                return done
            done += applied
    events_drain_enqueue(slots=settings.STRIPE_EVENT_DRAINS)
    return done


def _events_fresh():
    """Stored, never-tried events: older ones are the sweep's, failed ones their own retrying task's."""
    from .sweeps import SWEEP_AFTER_SECONDS

    fresh = timezone.now() - datetime.timedelta(seconds=SWEEP_AFTER_SECONDS)
    return StripeEvent.objects.filter(processed_at__isnull=True, attempts=0, received_at__gte=fresh)


def events_batch_apply(*, size):
    """Claim up to `size` of the oldest fresh events nobody holds and apply them in one transaction.
    Returns how many were applied, None when there were none.

    If one fails the whole lot rolls back and each is applied again in its own transaction, so a bad
    event keeps its error and goes to its own retrying task without holding up the others."""
    batch = []
    try:
        with transaction.atomic():
            claim = _events_fresh().select_for_update(skip_locked=True).order_by("received_at").only("payload")
            batch = list(claim[:size])
            if not batch:
                return None
            for record in batch:
                event_apply(event=record.payload)
            StripeEvent.objects.filter(pk__in=[r.pk for r in batch]).update(
                processed_at=timezone.now(), attempts=1, error=""
            )
        return len(batch)
    except Exception:
        lookups_forget()  # what the failed transaction created is gone
        if not batch:
            raise
        return sum(event_apply_alone(event_pk=record.pk) for record in batch)


def event_apply_alone(*, event_pk):
    """Apply one fresh event in its own transaction: 1 if applied, 0 if it failed (error recorded, retry
    queued) or another drain took it."""
    try:
        with transaction.atomic():
            record = _events_fresh().select_for_update(skip_locked=True).only("payload").filter(pk=event_pk).first()
            if record is None:
                return 0
            event_apply(event=record.payload)
            StripeEvent.objects.filter(pk=event_pk).update(processed_at=timezone.now(), attempts=1, error="")
        return 1
    except Exception as exc:
        lookups_forget()
        event_failure_record(event_pk=event_pk, exc=exc)
        log.warning("event %s failed, retrying on its own: %s", event_pk, exc)
        event_enqueue(event_pk=event_pk, countdown=2)
        return 0


def event_failure_record(*, event_pk, exc):
    StripeEvent.objects.filter(pk=event_pk).update(
        attempts=F("attempts") + 1, error=f"{type(exc).__name__}: {exc}"[:4000]
    )


def event_process(*, event_pk):
    """Apply a stored event to the ledger once. A failure keeps its error and attempt count and re-raises
    (the task retries); a processed event is skipped, so any number of runs is safe."""
    try:
        with transaction.atomic():
            record = StripeEvent.objects.select_for_update().only("processed_at", "payload").get(pk=event_pk)
            if record.processed_at is not None:
                return record
            event_apply(event=record.payload)
            StripeEvent.objects.filter(pk=event_pk).update(
                processed_at=timezone.now(), attempts=F("attempts") + 1, error=""
            )
            return record
    except Exception as exc:
        event_failure_record(event_pk=event_pk, exc=exc)
        raise


def event_apply(*, event):
    """Dispatch one event dict by type; unknown types are ignored. Call inside a transaction."""
    handler = EVENT_HANDLERS.get(event.get("type"))
    if handler is None:
        return
    obj = event.get("data", {}).get("object") or {}
    created = event.get("created")
    handler(obj, _when(created) if isinstance(created, int) else timezone.now())


# --- small readers of Stripe's shapes ----------------------------------------------------------


def _when(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)


def _id(value):
    """An id whether Stripe sent it as a string or as an expanded object (older shapes)."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


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
    slug = (metadata or {}).get("fundraising_campaign")
    if not isinstance(slug, str) or not slug:
        return None
    return _memoised(("campaign", slug), lambda: Campaign.objects.filter(slug=slug).first())


def _period_for(campaign, when):
    start, _ = ledger.period_bounds(campaign=campaign, when=when)
    return _memoised(("period", campaign.pk, start), lambda: ledger.period_for(campaign=campaign, when=when))


def _donation_id(metadata):
    try:
        return uuid.UUID(str((metadata or {}).get("fundraising_donation")))
    except ValueError:
        return None


def _locked(**lookup):
    return Donation.objects.select_for_update().filter(**lookup).order_by("created_at").first()


def _session_amount(session):
    """Amount and currency in the campaign's currency, also when Adaptive Pricing charged another one."""
    conversion = session.get("currency_conversion")
    if isinstance(conversion, dict) and conversion.get("source_currency"):
        return conversion.get("amount_total") or 0, conversion["source_currency"].lower()
    return session.get("amount_total") or 0, (session.get("currency") or "").lower()


def _invoice_metadata(invoice):
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or invoice.get("subscription_details") or {}
    return details.get("metadata") or {}


def _invoice_subscription(invoice):
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return _id(details.get("subscription")) or _id(invoice.get("subscription"))


def _invoice_payment_intent(invoice):
    """Older API versions put it on the invoice; newer ones under payments when expanded."""
    found = _id(invoice.get("payment_intent"))
    for payment in (invoice.get("payments") or {}).get("data") or []:
        found = found or _id((payment.get("payment") or {}).get("payment_intent"))
    return found


# --- payment facts and the ledger ---------------------------------------------------------------


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


def donation_settle(*, donation, old_period_id=None):
    """Derive the status from the stored facts, save, and refresh every period touched."""
    donation.status = ledger.donation_status_derive(donation)
    donation.save()
    for period_id in {old_period_id, donation.period_id} - {None}:
        ledger.ledger_changed(period_id=period_id)
    return donation


def donation_paid_mark(*, donation, paid_at):
    """Record the payment time; the earliest one wins so replays and late copies change nothing."""
    if donation.paid_at is None or paid_at < donation.paid_at:
        donation.paid_at = paid_at
        donation.period = _period_for(donation.campaign, paid_at)


def _dispute_merge(current, new):
    return new if DISPUTE_RANK.get(new, 0) > DISPUTE_RANK.get(current, 0) else current


def payment_record(*, metadata, amount, currency, paid_at, payment_intent="", session_id="", email=""):
    """A succeeded one-time payment: claim the app's pending donation, or create one for a payment
    the app did not start (Payment Link) when its metadata names a campaign. Returns the donation or None."""
    state = payment_state_lock(payment_intent=payment_intent)
    donation_id = _donation_id(metadata)
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
    metadata = session.get("metadata") or {}
    email = ((session.get("customer_details") or {}).get("email")) or session.get("customer_email") or ""
    if session.get("mode") == "subscription":
        return subscription_link(session=session, email=email)
    payment_intent = _id(session.get("payment_intent"))
    if session.get("payment_status") != "paid":  # an async method (bank debit) is still on its way
        return None
    amount, currency = _session_amount(session)
    return payment_record(
        metadata=metadata,
        amount=amount,
        currency=currency,
        paid_at=paid_at,
        payment_intent=payment_intent,
        session_id=session.get("id") or "",
        email=email,
    )


def subscription_link(*, session, email=""):
    """A monthly gift's Checkout finished: remember its subscription. The money counts with invoice.paid."""
    donation_id = _donation_id(session.get("metadata"))
    donation = _locked(pk=donation_id) if donation_id else None
    if donation is None and session.get("id"):
        donation = _locked(stripe_checkout_session_id=session["id"])
    if donation is None:
        return None
    donation.stripe_subscription_id = donation.stripe_subscription_id or _id(session.get("subscription"))
    donation.stripe_checkout_session_id = donation.stripe_checkout_session_id or session.get("id")
    donation.donor_email = donation.donor_email or email
    return donation_settle(donation=donation, old_period_id=donation.period_id)


def checkout_session_closed(*, session, status):
    """Expired or failed async payment: the pending donation says so, unless it was paid after all."""
    donation_id = _donation_id(session.get("metadata"))
    donation = _locked(pk=donation_id) if donation_id else None
    if donation is None and session.get("id"):
        donation = _locked(stripe_checkout_session_id=session["id"])
    if donation is None or donation.paid_at is not None:
        return None
    donation.status = status
    return donation_settle(donation=donation)


def invoice_paid_record(*, invoice, paid_at):
    """Every paid monthly invoice counts once, the first one too (it claims the pending donation)."""
    amount = invoice.get("amount_paid") or 0
    invoice_id = invoice.get("id") or ""
    if amount <= 0 or not invoice_id:  # a trial or fully discounted month moves no money
        return None
    currency = (invoice.get("currency") or "").lower()
    metadata = _invoice_metadata(invoice)
    transitions = invoice.get("status_transitions") or {}
    if isinstance(transitions.get("paid_at"), int):
        paid_at = _when(transitions["paid_at"])
    payment_intent = _invoice_payment_intent(invoice)
    if payment_intent:
        state = payment_state_lock(payment_intent=payment_intent, charge_id=_id(invoice.get("charge")))
    else:
        state = PaymentState.objects.select_for_update().filter(invoice_id=invoice_id).first()
    donation = _locked(stripe_invoice_id=invoice_id)
    donation_id = _donation_id(metadata)
    if donation is None and donation_id and invoice.get("billing_reason") == "subscription_create":
        donation = _locked(pk=donation_id, stripe_invoice_id__isnull=True)
    subscription_id = _invoice_subscription(invoice)
    if donation is None:
        campaign = _campaign(metadata)
        if campaign is None or currency != campaign.currency:
            return None
        sibling = Donation.objects.filter(stripe_subscription_id=subscription_id).exclude(stripe_subscription_id="")
        first = sibling.order_by("created_at").first()
        donation = Donation(
            campaign=campaign,
            amount=amount,
            currency=currency,
            kind=Donation.Kind.MONTHLY,
            public_name=first.public_name if first else "",
            anonymous=first.anonymous if first else False,
            subscription_ended_at=first.subscription_ended_at if first else None,
            donor_email=first.donor_email if first else "",
        )
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


def charge_refund_record(*, charge):
    """Partial or full refund: the charge carries the running total refunded, so keep the largest seen."""
    state = payment_state_lock(payment_intent=_id(charge.get("payment_intent")), charge_id=charge.get("id") or "")
    if state is None:
        return None
    state.amount_refunded = max(state.amount_refunded, charge.get("amount_refunded") or 0)
    state.invoice_id = state.invoice_id or _id(charge.get("invoice"))
    state.save()
    return payment_state_sync(state=state)


def dispute_record(*, dispute, closed):
    """Open disputes hold the money back; lost stays deducted, won restores it. Never reopens."""
    charge = dispute.get("charge")
    state = payment_state_lock(payment_intent=_id(dispute.get("payment_intent")), charge_id=_id(charge))
    if state is None:
        return None
    status = DISPUTE_CLOSED.get(dispute.get("status"), "open") if closed else "open"
    state.amount_disputed = max(state.amount_disputed, dispute.get("amount") or 0)
    state.dispute_status = _dispute_merge(state.dispute_status, status)
    state.save()
    return payment_state_sync(state=state)


def invoice_payment_link(*, invoice_payment):
    """Newer API versions say which payment intent paid an invoice in invoice_payment.paid."""
    payment = invoice_payment.get("payment") or {}
    state = payment_state_lock(payment_intent=_id(payment.get("payment_intent")), charge_id=_id(payment.get("charge")))
    invoice_id = _id(invoice_payment.get("invoice"))
    if state is None or not invoice_id:
        return None
    state.invoice_id = invoice_id
    state.save()
    return payment_state_sync(state=state)


def subscription_end_record(*, subscription, ended_at):
    """A monthly donor stopped: mark every gift of that subscription (their months still count)."""
    ended = subscription.get("ended_at") or subscription.get("canceled_at")
    ended_at = _when(ended) if isinstance(ended, int) else ended_at
    match = Q(stripe_subscription_id=subscription.get("id") or "-")
    donation_id = _donation_id(subscription.get("metadata"))
    if donation_id:
        match |= Q(pk=donation_id)
    return Donation.objects.filter(match, subscription_ended_at__isnull=True).update(subscription_ended_at=ended_at)


def _payment_intent_succeeded(intent, when):
    # Only payments made outside Checkout count from here; the app's own sessions name their donation too.
    return payment_record(
        metadata=intent.get("metadata") or {},
        amount=intent.get("amount_received") or 0,
        currency=(intent.get("currency") or "").lower(),
        paid_at=when,
        payment_intent=intent.get("id") or "",
    )


EVENT_HANDLERS = {
    "checkout.session.completed": lambda o, when: checkout_session_fulfil(session=o, paid_at=when),
    "checkout.session.async_payment_succeeded": lambda o, when: checkout_session_fulfil(session=o, paid_at=when),
    "checkout.session.async_payment_failed": lambda o, when: checkout_session_closed(
        session=o, status=Donation.Status.FAILED
    ),
    "checkout.session.expired": lambda o, when: checkout_session_closed(session=o, status=Donation.Status.EXPIRED),
    "payment_intent.succeeded": _payment_intent_succeeded,
    "invoice.paid": lambda o, when: invoice_paid_record(invoice=o, paid_at=when),
    "invoice_payment.paid": lambda o, when: invoice_payment_link(invoice_payment=o),
    "charge.refunded": lambda o, when: charge_refund_record(charge=o),
    "charge.dispute.created": lambda o, when: dispute_record(dispute=o, closed=False),
    "charge.dispute.updated": lambda o, when: dispute_record(dispute=o, closed=False),
    "charge.dispute.closed": lambda o, when: dispute_record(dispute=o, closed=True),
    "customer.subscription.deleted": lambda o, when: subscription_end_record(subscription=o, ended_at=when),
}
