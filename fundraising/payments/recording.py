"""Payments into ledger rows: claim or create the Donation a payment belongs to (sessions, payment intents,
charges, invoices, subscriptions), and apply its refund and dispute facts (fundraising/payments/facts.py).

A payment's earliest paid time wins, so replays and late copies change nothing; the donation's status is
derived from the stored facts, so any delivery order gives the same totals. Call inside a transaction."""

import logging

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from fundraising.campaigns.models import Campaign
from fundraising.campaigns.services import period_bounds, period_for
from fundraising.journal import kinds
from fundraising.journal.services import Happening, entries_write
from fundraising.ledger.models import Donation
from fundraising.ledger.recurring import streams_ended
from fundraising.ledger.services import donation_settle

from . import drain_memo, readers, velocity
from .facts import donation_state_apply, payment_state_lock
from .models import PaymentState, SubscriptionLink, UnmatchedPayment
from .unmatched import unmatched_clear, unmatched_record, unmatched_waiting

log = logging.getLogger(__name__)


def _campaign(metadata):
    slug = readers.metadata_campaign(metadata)
    if not slug:
        return None
    return drain_memo.memoised(("campaign", slug), lambda: Campaign.objects.filter(slug=slug).first())


def campaign_match(metadata, *, currency):
    """(campaign, reason) for a payment the app did not start: the campaign its metadata names and, when
    that payment cannot count for it, why (an UnmatchedPayment.Reason). (None, None) names no campaign."""
    slug = readers.metadata_campaign(metadata)
    if not slug:
        return None, None
    campaign = _campaign(metadata)
    if campaign is None:
        return None, UnmatchedPayment.Reason.UNKNOWN_CAMPAIGN
    if not campaign.active:
        return campaign, UnmatchedPayment.Reason.INACTIVE_CAMPAIGN
    if currency != campaign.currency:
        return campaign, UnmatchedPayment.Reason.CURRENCY
    return campaign, None


def _period_for(campaign, when):
    start, _ = period_bounds(campaign=campaign, when=when)
    return drain_memo.memoised(("period", campaign.pk, start), lambda: period_for(campaign=campaign, when=when))


def _subscription_lock(subscription_id):
    """Serialise a subscription's Checkout Session and its invoices (PostgreSQL; SQLite serialises writers):
    otherwise an invoice could start waiting for a link that the session commits at the same moment."""
    if subscription_id and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"stripe-subscription:{subscription_id}"])


def _named(metadata):
    """The lookup of the donation the metadata names (`fundraising_donation`), only within the campaign it
    names (`fundraising_campaign`): an event about one campaign never changes another campaign's donation.
    {} when the metadata names no donation, or a donation without a known campaign."""
    donation_id, campaign = readers.metadata_donation(metadata), _campaign(metadata)
    return {"pk": donation_id, "campaign_id": campaign.pk} if donation_id and campaign else {}


def _locked(**lookup):
    return Donation.objects.select_for_update().filter(**lookup).order_by("created_at").first()


def donation_fee_cover_fit(donation):
    """A card fees cover is part of what was charged: one Stripe charged no more than (a changed or
    foreign payment) is no cover. Whether it counts toward the goal is the campaign's choice when the gift is
    first paid, kept on the row (docs/owners.md#cover-the-fees)."""
    if donation.fee_cover >= donation.amount:
        donation.fee_cover = 0
    if donation.paid_at is None:
        donation.fee_cover_counted = bool(donation.fee_cover and donation.campaign.fee_cover_counts)


def donation_paid_mark(*, donation, paid_at):
    """Record the payment time; the earliest one wins so replays and late copies change nothing."""
    donation_fee_cover_fit(donation)
    if donation.paid_at is None or paid_at < donation.paid_at:
        donation.paid_at = paid_at
        donation.period = _period_for(donation.campaign, paid_at)


# --- payments into the ledger ----------------------------------------------------------------------


def payment_record(*, metadata, amount, currency, paid_at, payment_intent="", session_id="", email="", charge_id="",
                   conversion=None, payload=None):  # fmt: skip
    """A succeeded one-time payment: claim the app's pending donation, or create one for a payment
    the app did not start (Payment Link) when its metadata names a campaign. One naming a campaign it
    cannot count for is recorded as unmatched. Returns the donation or None.

    `conversion` is readers.session_conversion of an Adaptive Pricing session: kept on the payment's facts
    so its refunds and disputes (in the donor's currency) convert at the ratio Stripe charged at."""
    state = payment_state_lock(payment_intent=payment_intent, charge_id=charge_id)
    if state is not None and conversion:
        state.conversion_currency, state.conversion_amount, state.conversion_source_amount = conversion
        state.currency = state.currency or conversion[0]
        state.save()
    payment_id = payment_intent or charge_id or session_id
    if amount <= 0:
        return None
    donation = _payment_donation(
        named=_named(metadata), session_id=session_id, payment_intent=payment_intent, charge_id=charge_id
    )
    if donation is None:
        campaign, reason = campaign_match(metadata, currency=currency)
        if campaign is None and reason is None:
            return None
        if reason:
            return unmatched_record(stripe_id=payment_id, reason=reason, campaign=campaign, amount=amount,
                                    currency=currency, slug=readers.metadata_campaign(metadata), paid_at=paid_at,
                                    payload=payload)  # fmt: skip
        donation = Donation(campaign=campaign, amount=amount, currency=currency, kind=Donation.Kind.ONE_TIME)
    if donation.currency != currency:
        if donation.paid_at is not None and payment_intent and donation.stripe_payment_intent_id == payment_intent:
            return None  # Adaptive Pricing: the intent, in the donor's currency, of a gift its session counted
        return unmatched_record(stripe_id=payment_id, reason=UnmatchedPayment.Reason.CURRENCY,
                                campaign=donation.campaign, slug=donation.campaign.slug, amount=amount,
                                currency=currency, paid_at=paid_at, payload=payload)  # fmt: skip
    old_period_id = donation.period_id
    donation.amount = amount  # what Stripe charged is the truth
    donation.stripe_payment_intent_id = donation.stripe_payment_intent_id or payment_intent or None
    donation.stripe_checkout_session_id = donation.stripe_checkout_session_id or session_id or None
    donation.stripe_charge_id = donation.stripe_charge_id or charge_id
    unmatched_clear(payment_intent, charge_id, session_id)
    donation.donor_email = donation.donor_email or email or ""
    donation_paid_mark(donation=donation, paid_at=paid_at)
    donation_state_apply(donation=donation, state=state)
    return donation_settle(donation=donation, old_period_id=old_period_id)


def _payment_donation(*, named, session_id, payment_intent, charge_id=""):
    """The ledger row a payment belongs to, locked: the app's donation named in the metadata (unless it
    already stands for another payment), else the one of its session, else the one of its payment intent
    (or, for a charge without one, of its charge). One query for the lookups."""
    match = Q(**named) if named else Q()
    if session_id:
        match |= Q(stripe_checkout_session_id=session_id)
    if payment_intent:
        match |= Q(stripe_payment_intent_id=payment_intent)
    if charge_id and not payment_intent:
        match |= Q(stripe_charge_id=charge_id, stripe_payment_intent_id__isnull=True)
    if not match:
        return None
    rows = list(Donation.objects.select_for_update().filter(match).order_by("created_at", "pk"))
    for donation in rows:
        free = not payment_intent or donation.stripe_payment_intent_id in ("", None, payment_intent)
        if named and (donation.pk, donation.campaign_id) == (named["pk"], named["campaign_id"]) and free:
            return donation
    for donation in rows:
        if session_id and donation.stripe_checkout_session_id == session_id:
            return donation
    for donation in rows:
        if payment_intent and donation.stripe_payment_intent_id == payment_intent:
            return donation
    for donation in rows:
        if charge_id and not payment_intent and donation.stripe_charge_id == charge_id:
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
        conversion=readers.session_conversion(session),
        payload=session,
    )


def _session_donation(session):
    named = _named(readers.metadata_of(session))
    donation = _locked(**named) if named else None
    if donation is None and readers.object_id(session.get("id")):
        donation = _locked(stripe_checkout_session_id=session["id"])
    return donation


def subscription_link(*, session, email=""):
    """A monthly gift's Checkout finished: remember its subscription and the campaign the session names
    (a monthly Payment Link names it only there), then count the invoices that waited for this link.
    The money counts with invoice.paid."""
    subscription_id = readers.object_id(session.get("subscription"))
    _subscription_lock(subscription_id)
    campaign = _campaign(readers.metadata_of(session))
    if subscription_id and campaign is not None:
        SubscriptionLink.objects.get_or_create(
            subscription_id=subscription_id,
            defaults={"campaign": campaign, "checkout_session_id": readers.object_id(session.get("id"))},
        )
    donation = _session_donation(session)
    if donation is not None:
        donation.stripe_subscription_id = donation.stripe_subscription_id or subscription_id
        donation.stripe_checkout_session_id = donation.stripe_checkout_session_id or session.get("id")
        donation.donor_email = donation.donor_email or email
        donation = donation_settle(donation=donation, old_period_id=donation.period_id)
    for waiting in unmatched_waiting(subscription_id=subscription_id):
        invoice_paid_record(invoice=waiting.payload, paid_at=waiting.paid_at or timezone.now())
    return donation


def checkout_session_closed(*, session, status):
    """Expired or failed async payment: the pending donation says so, unless it was paid after all."""
    donation = _session_donation(session)
    if donation is None or donation.paid_at is not None:
        return None
    if donation.status == Donation.Status.PENDING:  # counted once, when a pending session first closes unpaid
        transaction.on_commit(lambda: velocity.session_failure_count(donation=donation))
    donation.status = status
    return donation_settle(donation=donation)


def invoice_paid_record(*, invoice, paid_at):
    """Every paid monthly or yearly invoice counts once, the first one too (it claims the pending donation)."""
    amount, currency = readers.invoice_amount(invoice)
    invoice_id = readers.object_id(invoice.get("id"))
    if amount <= 0 or not invoice_id:  # a trial or fully discounted month moves no money
        return None
    metadata = readers.invoice_metadata(invoice)
    paid_at = readers.invoice_paid_at(invoice) or paid_at
    _subscription_lock(readers.invoice_subscription(invoice))
    payment_intent = readers.invoice_payment_intent(invoice)
    if payment_intent:
        state = payment_state_lock(payment_intent=payment_intent, charge_id=readers.object_id(invoice.get("charge")))
    else:
        state = PaymentState.objects.select_for_update().filter(invoice_id=invoice_id).first()
    donation = _locked(stripe_invoice_id=invoice_id)
    named = _named(metadata)
    if donation is None and named and invoice.get("billing_reason") == "subscription_create":
        donation = _locked(**named, stripe_invoice_id__isnull=True)
    subscription_id = readers.invoice_subscription(invoice)
    if donation is None:
        campaign, reason = invoice_campaign(metadata=metadata, currency=currency, subscription=subscription_id)
        if reason:
            return unmatched_record(stripe_id=invoice_id, reason=reason, campaign=campaign, amount=amount,
                                    currency=currency, slug=readers.metadata_campaign(metadata), paid_at=paid_at,
                                    subscription_id=subscription_id, payload=invoice)  # fmt: skip
        if campaign is None:
            return None
        donation = _renewal_donation(campaign=campaign, currency=currency, subscription=subscription_id)
    if donation.currency != currency:
        return unmatched_record(stripe_id=invoice_id, reason=UnmatchedPayment.Reason.CURRENCY,
                                campaign=donation.campaign, slug=donation.campaign.slug, amount=amount,
                                currency=currency, paid_at=paid_at, payload=invoice)  # fmt: skip
    old_period_id = donation.period_id
    unmatched_clear(invoice_id)
    donation.amount = amount
    donation.fee_cover = readers.invoice_fee_cover(invoice)  # every renewal carries its cover
    donation.kind = invoice_kind(donation=donation, invoice=invoice, subscription_id=subscription_id)
    donation.stripe_invoice_id = invoice_id
    donation.stripe_subscription_id = donation.stripe_subscription_id or subscription_id
    donation.donor_email = donation.donor_email or readers.email_read(invoice.get("customer_email"))
    donation_paid_mark(donation=donation, paid_at=paid_at)
    donation_state_apply(donation=donation, state=state)
    return donation_settle(donation=donation, old_period_id=old_period_id)


RECURRING_KINDS = (Donation.Kind.MONTHLY, Donation.Kind.YEARLY)


def invoice_kind(*, donation, invoice, subscription_id):
    """A subscription's invoice is a monthly or a yearly gift: the kind its row already has (the app's Checkout
    chose it; a renewal carries the subscription's first gift's), else what the invoice's line bills (a yearly
    Payment Link), else monthly. An invoice of no subscription is a one-time gift."""
    if not subscription_id:
        return Donation.Kind.ONE_TIME
    if donation.kind in RECURRING_KINDS:
        return donation.kind
    return Donation.Kind.YEARLY if readers.invoice_yearly(invoice) else Donation.Kind.MONTHLY


def invoice_campaign(*, metadata, currency, subscription):
    """(campaign, reason) for an invoice no ledger row stands for yet: the campaign its metadata names, else
    the one its subscription's Checkout Session linked (Payment Links). A subscription's invoice naming none
    waits, as unmatched, for that session."""
    campaign, reason = campaign_match(metadata, currency=currency)
    if campaign is None and reason is None and subscription:
        link = SubscriptionLink.objects.select_related("campaign").filter(subscription_id=subscription).first()
        if link is None:
            return None, UnmatchedPayment.Reason.SUBSCRIPTION_UNLINKED
        campaign, reason = campaign_match({"fundraising_campaign": link.campaign.slug}, currency=currency)
    return campaign, reason


def _renewal_donation(*, campaign, currency, subscription):
    """A new ledger row for an invoice, carrying the supporter's choices from the subscription's first gift
    (the caller sets its amount; its kind starts as the first gift's, see invoice_kind)."""
    first = None
    if subscription:
        first = Donation.objects.filter(stripe_subscription_id=subscription).order_by("created_at").first()
    return Donation(
        campaign=campaign,
        currency=currency,
        kind=first.kind if first else Donation.Kind.ONE_TIME,
        public_name=first.public_name if first else "",
        anonymous=first.anonymous if first else False,
        subscription_ended_at=first.subscription_ended_at if first else None,
        donor_email=first.donor_email if first else "",
    )


def subscription_end_record(*, subscription, ended_at):
    """A monthly donor stopped: mark every gift of that subscription (their months still count)."""
    ended_at = (
        readers.timestamp_read(subscription.get("ended_at"))
        or readers.timestamp_read(subscription.get("canceled_at"))
        or ended_at
    )
    match = Q(stripe_subscription_id=readers.object_id(subscription.get("id")) or "-")
    named = _named(readers.metadata_of(subscription))
    if named:
        match |= Q(**named)
    ending = Donation.objects.filter(match, subscription_ended_at__isnull=True)
    campaigns = sorted(set(ending.values_list("campaign_id", "campaign__organization_id")))
    streams = list(ending.values_list("campaign_id", "kind", "stripe_subscription_id", "donor_email", "pk"))
    count = ending.update(subscription_ended_at=ended_at)
    streams_ended(rows=streams)  # the run-rate's stream states (fundraising/ledger/recurring.py), in this transaction
    if count:
        subscription_id = readers.object_id(subscription.get("id")) or ""
        entries_write(
            Happening(
                kind=kinds.SUBSCRIPTION_ENDED,
                key=f"subscription.ended:{subscription_id}:{campaign_id}",
                organization_id=organization_id,
                campaign_id=campaign_id,
                data={"subscription_id": subscription_id, "ended_at": ended_at},
            )
            for campaign_id, organization_id in campaigns
        )
    return count
