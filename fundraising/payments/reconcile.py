"""Reconciliation with Stripe: process every recent event the app never received, then compare the
ledger with Stripe's own objects (sessions, payment intents, charges, invoices, refunds, disputes), read
with the same readers and matching rules as the handlers."""

import dataclasses
import datetime

from django.utils import timezone

from fundraising.ledger.models import Donation

from . import endpoint, facts, readers, recording, stripe_api, stripe_events
from .models import PaymentState, StripeEvent, UnmatchedPayment
from .unmatched import unmatched_lines, unmatched_waiting_prune

# --- reconciliation with Stripe ------------------------------------------------------------------

RECONCILE_DAYS = 3
# Objects (unlike events, which Stripe keeps 30 days) can be listed as far back as wanted.
RECONCILE_OBJECTS_DAYS = 90


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
        page = stripe_api.event_list(created_gte=created_gte, starting_after=starting_after)
        listed.extend(page.get("data") or [])
        if not page.get("has_more") or not page.get("data"):
            return listed
        starting_after = page["data"][-1]["id"]


def stripe_objects(*, days):
    """Stripe's payments, invoices, refunds and disputes of the last `days` days, through stripe_api.py."""
    created_gte = int((timezone.now() - datetime.timedelta(days=days)).timestamp())
    found = {}
    for kind in stripe_api.OBJECT_LISTS:
        found[kind], starting_after = [], None
        while True:
            page = stripe_api.object_list(kind=kind, created_gte=created_gte, starting_after=starting_after)
            found[kind].extend(page.get("data") or [])
            if not page.get("has_more") or not page.get("data"):
                break
            starting_after = page["data"][-1]["id"]
    return found


@dataclasses.dataclass
class Expected:
    """What Stripe's objects say the ledger should hold, read as the handlers read them."""

    paid: dict = dataclasses.field(default_factory=dict)  # (kind, id) -> (amount, currency, campaign, reason)
    refunds: dict = dataclasses.field(default_factory=dict)  # payment key -> [(refund, charge total)]
    disputes: dict = dataclasses.field(default_factory=dict)  # payment key -> dispute status as the ledger says


def stripe_expectations(found):
    expected = Expected()
    session_intents = set()
    for session in found.get("checkout_session", []):
        metadata = readers.metadata_of(session)
        if _session_paid(session) and readers.metadata_campaign(metadata):
            amount, currency = readers.session_amount(session)
            intent = readers.object_id(session.get("payment_intent"))
            session_intents.add(intent)
            _expect(expected, ("payment", intent), amount, currency, metadata)
    for intent in found.get("payment_intent", []):
        intent_id = readers.object_id(intent.get("id"))
        if intent.get("status") == "succeeded" and intent_id not in session_intents:
            _expect(expected, ("payment", intent_id), *readers.intent_amount(intent), readers.metadata_of(intent))
    for charge in found.get("charge", []):
        key = readers.object_id(charge.get("payment_intent")) or readers.object_id(charge.get("id"))
        expected.refunds.setdefault(key, [0, {}])[0] = readers.charge_refunded(charge)
        if not readers.object_id(charge.get("payment_intent")):
            _expect(expected, ("charge", key), *readers.charge_amount(charge), readers.metadata_of(charge))
    for invoice in found.get("invoice", []):
        if invoice.get("status") == "paid" and readers.invoice_amount(invoice)[0] > 0:
            amount, currency = readers.invoice_amount(invoice)
            campaign, reason = recording.invoice_campaign(
                metadata=readers.invoice_metadata(invoice), currency=currency,
                subscription=readers.invoice_subscription(invoice),
            )  # fmt: skip
            if campaign or reason not in (None, UnmatchedPayment.Reason.SUBSCRIPTION_UNLINKED):
                expected.paid[("invoice", readers.object_id(invoice.get("id")))] = (amount, currency, campaign, reason)
    for refund in found.get("refund", []):
        key = readers.object_id(refund.get("payment_intent")) or readers.object_id(refund.get("charge"))
        refund_id, amount, _, status = readers.refund_read(refund)
        expected.refunds.setdefault(key, [0, {}])[1][refund_id] = (amount, status)
    for dispute in sorted(found.get("dispute", []), key=lambda d: d.get("created") or 0):
        key = readers.object_id(dispute.get("payment_intent")) or readers.object_id(dispute.get("charge"))
        status = dispute.get("status")
        expected.disputes[key] = facts.DISPUTE_CLOSED.get(status, "open")
    return expected


def _expect(expected, key, amount, currency, metadata):
    if amount > 0 and key[1]:
        expected.paid[key] = (amount, currency, *recording.campaign_match(metadata, currency=currency))


def _session_paid(session):
    return session.get("mode") == "payment" and session.get("payment_status") == "paid"


def _donations_by_id(expected):
    """The ledger rows Stripe's objects name, by ("payment" | "invoice" | "charge", id): three queries."""
    payment_ids = {key for kind, key in expected.paid if kind != "invoice"} | set(expected.refunds) | set(
        expected.disputes)  # fmt: skip
    invoice_ids = [key for kind, key in expected.paid if kind == "invoice"]
    found = {}
    for donation in Donation.objects.filter(stripe_invoice_id__in=invoice_ids):
        found[("invoice", donation.stripe_invoice_id)] = donation
    for donation in Donation.objects.filter(stripe_charge_id__in=payment_ids).order_by("-created_at"):
        found[("charge", donation.stripe_charge_id)] = donation
    for donation in Donation.objects.filter(stripe_payment_intent_id__in=payment_ids):
        found[("payment", donation.stripe_payment_intent_id)] = donation
    return found


def ledger_differences(expected):
    """One line per payment, refund or dispute where the ledger says otherwise than Stripe's objects."""
    differences = []
    donations = _donations_by_id(expected)
    states = {state.key: state for state in PaymentState.objects.filter(key__in=list(expected.refunds))}
    keys = [key for _, key in expected.paid]
    unmatched = set(UnmatchedPayment.objects.filter(stripe_id__in=keys).values_list("stripe_id", flat=True))
    for (kind, key), (amount, currency, _, reason) in sorted(expected.paid.items()):
        donation = donations.get((kind, key))
        if reason and donation is None:
            if key not in unmatched:
                differences.append(f"{kind} {key}: Stripe has {amount} {currency} paid ({reason}), not recorded")
        elif donation is None or donation.paid_at is None:
            differences.append(f"{kind} {key}: Stripe has {amount} paid, the ledger has no paid donation")
        elif donation.amount != amount:
            differences.append(f"{kind} {key}: Stripe has {amount}, the ledger has {donation.amount}")
    for key, (charge_total, refunds) in sorted(expected.refunds.items()):
        donation = donations.get(("payment", key)) or donations.get(("charge", key))
        state = states.get(key)
        if donation is None or donation.paid_at is None or state is None:
            continue
        live = sum(amount for amount, status in refunds.values() if status not in facts.REFUND_GONE)
        gone = sum(amount for amount, status in refunds.values() if status in facts.REFUND_GONE)
        refunded = facts.in_gift_currency(max(live, charge_total - gone, 0), state=state, donation=donation)
        if refunded is not None and refunded != donation.amount_refunded:
            differences.append(f"payment {key}: Stripe refunded {refunded}, the ledger has {donation.amount_refunded}")
    for key, status in sorted(expected.disputes.items()):
        donation = donations.get(("payment", key)) or donations.get(("charge", key))
        if donation is not None and donation.paid_at is not None and donation.dispute_status != status:
            differences.append(f"payment {key}: Stripe's dispute is {status}, the ledger has "
                               f"{donation.dispute_status or 'none'}")  # fmt: skip
    return differences


def stripe_reconcile(*, days=RECONCILE_DAYS, objects_days=RECONCILE_OBJECTS_DAYS):
    """Process every Stripe event of the last `days` days the app never received, then compare the ledger
    with Stripe's objects of the last `objects_days` days."""
    listed = stripe_events_recent(days=days)
    report = Reconciliation(listed=len(listed))
    known = set(StripeEvent.objects.filter(stripe_id__in=[e["id"] for e in listed]).values_list("stripe_id", flat=True))
    for event in reversed(listed):  # oldest first, as Stripe would have sent them
        if event["id"] in known:
            continue
        record, created = stripe_events.stripe_event_record(event=event)
        if created:
            stripe_events.stripe_event_process(event_pk=record.pk)  # now, so the comparison below includes it
            report.recovered.append(event["id"])
    cutoff = timezone.now() - datetime.timedelta(seconds=stripe_events.SWEEP_AFTER_SECONDS)
    report.unprocessed = list(
        StripeEvent.objects.filter(processed_at__isnull=True, received_at__lte=cutoff)
        .order_by("received_at")
        .values_list("stripe_id", flat=True)
    )
    report.differences = ledger_differences(stripe_expectations(stripe_objects(days=max(days, objects_days))))
    unmatched_waiting_prune()
    report.unmatched = list(unmatched_lines())
    try:
        report.endpoint_missing = endpoint.endpoint_check()
    except (stripe_api.StripeNotConfigured, stripe_api.StripeUnavailable) as exc:
        report.endpoint_note = f"webhook endpoint not checked: {exc}"
    return report
