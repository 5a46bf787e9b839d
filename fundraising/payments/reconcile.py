"""Reconciliation with Stripe: process every recent event the app never received, then compare the
ledger with what Stripe's events say it should hold (read with the same readers as the handlers)."""

import dataclasses
import datetime

from django.utils import timezone

from fundraising.ledger.models import Donation

from . import endpoint, events, payments, readers
from .models import StripeEvent
from .unmatched import unmatched_lines

# --- reconciliation with Stripe ------------------------------------------------------------------

RECONCILE_DAYS = 3


@dataclasses.dataclass
class Reconciliation:
    listed: int = 0
    recovered: list = dataclasses.field(default_factory=list)  # events Stripe sent that we never stored
    unprocessed: list = dataclasses.field(default_factory=list)  # stored, still not applied
    differences: list = dataclasses.field(default_factory=list)  # ledger vs Stripe, one line each
    unmatched: list = dataclasses.field(default_factory=list)  # payments naming a campaign that did not count
    endpoint_missing: list = dataclasses.field(default_factory=list)  # required events the endpoint does not send
    endpoint_note: str = ""

    @property
    def clean(self):
        return not (self.differences or self.unprocessed or self.unmatched or self.endpoint_missing)

    def lines(self):
        yield f"{self.listed} Stripe events listed, {len(self.recovered)} never received (now processed)"
        yield from (f"recovered {event_id}" for event_id in self.recovered)
        yield from (f"unprocessed {event_id}" for event_id in self.unprocessed)
        yield from self.differences
        yield from self.unmatched
        if self.endpoint_missing:
            yield f"webhook endpoint misses events: {', '.join(self.endpoint_missing)} (run stripe_webhook_setup)"
        if self.endpoint_note:
            yield self.endpoint_note
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


def stripe_expectations(listed):
    """What Stripe says the ledger should hold: paid amounts by payment (in the campaign's currency, as the
    handlers count them) and the largest refund seen per payment intent."""
    paid, refunded, intents = {}, {}, {}
    for event in listed:
        obj = (event.get("data") or {}).get("object") or {}
        kind = event.get("type")
        if kind == "charge.refunded" and readers.object_id(obj.get("payment_intent")):
            key = readers.object_id(obj.get("payment_intent"))
            refunded[key] = max(refunded.get(key, 0), readers.charge_refunded(obj))
        elif kind == "invoice.paid" and readers.metadata_campaign(readers.invoice_metadata(obj)):
            paid[("invoice", readers.object_id(obj.get("id")))] = readers.invoice_amount(obj)[0]
        elif not readers.metadata_campaign(readers.metadata_of(obj)):
            continue
        elif kind == "checkout.session.completed" and _session_paid(obj):
            paid[("payment", readers.object_id(obj.get("payment_intent")))] = readers.session_amount(obj)[0]
        elif kind == "payment_intent.succeeded":
            intents[("payment", readers.object_id(obj.get("id")))] = readers.intent_amount(obj)[0]
    # A Checkout payment's session says what counts (in the campaign's currency under Adaptive Pricing);
    # its payment intent, in the currency the donor paid, only speaks for payments made without Checkout.
    return {**intents, **paid}, refunded


def _session_paid(session):
    return session.get("mode") == "payment" and session.get("payment_status") == "paid"


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
        record, created = events.event_record(event=event)
        if created:
            events.event_process(event_pk=record.pk)  # now, so the comparison below includes it
            report.recovered.append(event["id"])
    cutoff = timezone.now() - datetime.timedelta(seconds=events.SWEEP_AFTER_SECONDS)
    report.unprocessed = list(
        StripeEvent.objects.filter(processed_at__isnull=True, received_at__lte=cutoff)
        .order_by("received_at")
        .values_list("stripe_id", flat=True)
    )
    paid, refunded = stripe_expectations(listed)
    report.differences = ledger_differences(paid=paid, refunded=refunded)
    report.unmatched = list(unmatched_lines())
    try:
        report.endpoint_missing = endpoint.endpoint_check()
    except (payments.StripeNotConfigured, payments.StripeUnavailable) as exc:
        report.endpoint_note = f"webhook endpoint not checked: {exc}"
    return report
