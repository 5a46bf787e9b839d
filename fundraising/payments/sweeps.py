"""Catching up with Stripe: re-queue stored events left unprocessed, and reconcile with Stripe's own list."""

import dataclasses
import datetime

from django.utils import timezone

from fundraising.campaigns.models import Donation

from . import payments, services
from .models import StripeEvent

# Long enough that an event normally waiting its turn in the queue is not queued twice.
SWEEP_AFTER_SECONDS = 180
SWEEP_BATCH = 500
# Older ones need a person: reconciliation reports them.
SWEEP_WITHIN_DAYS = 7


def events_unprocessed(*, min_age_seconds=SWEEP_AFTER_SECONDS, now=None):
    """Ids of stored events still unprocessed `min_age_seconds` after they arrived, oldest first."""
    now = now or timezone.now()
    return list(
        StripeEvent.objects.filter(
            processed_at__isnull=True,
            received_at__lte=now - datetime.timedelta(seconds=min_age_seconds),
            received_at__gte=now - datetime.timedelta(days=SWEEP_WITHIN_DAYS),
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


# --- reconciliation with Stripe ------------------------------------------------------------------

RECONCILE_DAYS = 3


@dataclasses.dataclass
class Reconciliation:
    listed: int = 0
    recovered: list = dataclasses.field(default_factory=list)  # events Stripe sent that we never stored
    unprocessed: list = dataclasses.field(default_factory=list)  # stored, still not applied
    differences: list = dataclasses.field(default_factory=list)  # ledger vs Stripe, one line each

    def lines(self):
        yield f"{self.listed} Stripe events listed, {len(self.recovered)} never received (now processed)"
        yield from (f"recovered {event_id}" for event_id in self.recovered)
        yield from (f"unprocessed {event_id}" for event_id in self.unprocessed)
        yield from self.differences
        yield "ledger matches Stripe" if not self.differences else f"{len(self.differences)} differences"


def stripe_events_recent(*, days):
    """Every event Stripe kept from the last `days` days, through the one module that talks to Stripe."""
    created_gte = int((timezone.now() - datetime.timedelta(days=days)).timestamp())
    listed, starting_after = [], None
    while True:
        page = payments.event_list(created_gte=created_gte, starting_after=starting_after)
        listed.extend(page.get("data") or [])
        if not page.get("has_more") or not page.get("data"):
            return listed
        starting_after = page["data"][-1]["id"]


def stripe_expectations(events):
    """What Stripe says the ledger should hold: paid amounts by payment and the largest refund seen."""
    paid, refunded = {}, {}
    for event in events:
        obj = (event.get("data") or {}).get("object") or {}
        kind = event.get("type")
        if not (obj.get("metadata") or {}).get("fundraising_campaign") and kind != "charge.refunded":
            continue
        if (
            kind == "checkout.session.completed"
            and obj.get("mode") == "payment"
            and obj.get("payment_status") == "paid"
        ):
            paid[("payment", services._id(obj.get("payment_intent")))] = obj.get("amount_total") or 0
        elif kind == "payment_intent.succeeded":
            paid[("payment", obj.get("id"))] = obj.get("amount_received") or obj.get("amount") or 0
        elif kind == "charge.refunded" and services._id(obj.get("payment_intent")):
            key = services._id(obj.get("payment_intent"))
            refunded[key] = max(refunded.get(key, 0), obj.get("amount_refunded") or 0)
    for event in events:  # invoices carry the campaign on the subscription's metadata
        obj = (event.get("data") or {}).get("object") or {}
        if event.get("type") == "invoice.paid" and services._invoice_metadata(obj).get("fundraising_campaign"):
            paid[("invoice", obj.get("id"))] = obj.get("amount_paid") or 0
    return paid, refunded


def ledger_differences(*, paid, refunded):
    by_intent = {d.stripe_payment_intent_id: d for d in Donation.objects.filter(stripe_payment_intent_id__in=[
        key for kind, key in paid if kind == "payment"] + list(refunded))}  # fmt: skip
    by_invoice = {d.stripe_invoice_id: d for d in Donation.objects.filter(
        stripe_invoice_id__in=[key for kind, key in paid if kind == "invoice"])}  # fmt: skip
    differences = []
    for (kind, key), amount in sorted(paid.items()):
        donation = (by_intent if kind == "payment" else by_invoice).get(key)
        if donation is None or donation.paid_at is None:
            differences.append(f"{kind} {key}: Stripe has {amount} paid, the ledger has no paid donation")
        elif donation.amount != amount:
            differences.append(f"{kind} {key}: Stripe has {amount}, the ledger has {donation.amount}")
    for key, amount in sorted(refunded.items()):
        donation = by_intent.get(key)
        if donation is not None and donation.amount_refunded != amount:
            differences.append(f"payment {key}: Stripe refunded {amount}, the ledger has {donation.amount_refunded}")
    return differences


def stripe_reconcile(*, days=RECONCILE_DAYS):
    """Process every recent Stripe event the app never received, then compare the ledger with Stripe."""
    listed = stripe_events_recent(days=days)
    report = Reconciliation(listed=len(listed))
    known = set(StripeEvent.objects.filter(stripe_id__in=[e["id"] for e in listed]).values_list("stripe_id", flat=True))
    for event in reversed(listed):  # oldest first, as Stripe would have sent them
        if event["id"] in known:
            continue
        record, created = services.event_record(event=event)
        if created:
            services.event_process(event_pk=record.pk)  # now, so the comparison below includes it
            report.recovered.append(event["id"])
    cutoff = timezone.now() - datetime.timedelta(seconds=SWEEP_AFTER_SECONDS)
    report.unprocessed = list(
        StripeEvent.objects.filter(processed_at__isnull=True, received_at__lte=cutoff)
        .order_by("received_at")
        .values_list("stripe_id", flat=True)
    )
    paid, refunded = stripe_expectations(listed)
    report.differences = ledger_differences(paid=paid, refunded=refunded)
    return report
