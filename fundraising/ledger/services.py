"""Ledger rules and totals: what a donation counts for, its status, and each period's sums.

Totals are only ever recomputed from the ledger rows; nothing adds to a stored total by hand."""

import functools

from django.db import transaction
from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, NullIf
from django.utils import timezone

from fundraising.campaigns.models import Period

from .breakdown import period_breakdown
from .models import Donation
from .signals import announce, donation_status_changed, period_changed

# A donation counts once it is paid; what it counts for is its amount less what was taken back.
COUNTED = Q(paid_at__isnull=False)


def donation_net_expression():
    """What a donation contributes: amount less refunds and (open or lost) disputes, never below 0;
    a reversing entry (an offline gift's correction) contributes minus the amount it takes back."""
    disputed = Case(
        When(dispute_status__in=[Donation.Dispute.OPEN, Donation.Dispute.LOST], then=F("amount_disputed")),
        default=Value(0),
    )
    kept = Greatest(F("amount") - F("amount_refunded") - disputed, Value(0))
    return Case(When(reverses__isnull=False, then=-F("amount")), default=kept)


def donation_net(donation: Donation) -> int:
    """The same rule as donation_net_expression, for one row in Python."""
    if donation.paid_at is None:
        return 0
    if donation.reverses_id is not None:
        return -donation.amount
    disputed = donation.amount_disputed if donation.dispute_status in ("open", "lost") else 0
    return max(donation.amount - donation.amount_refunded - disputed, 0)


def donation_status_derive(donation: Donation) -> str:
    """The status the stored facts imply (payment, refunds, dispute); callers store it."""
    if donation.paid_at is None:
        return donation.status if donation.status in ("failed", "expired") else Donation.Status.PENDING
    if donation.reverses_id is not None:
        return Donation.Status.REVERSAL
    if donation.dispute_status in (Donation.Dispute.OPEN, Donation.Dispute.LOST):
        return Donation.Status.DISPUTED
    if donation.amount_refunded >= donation.amount:
        return Donation.Status.REFUNDED
    if donation.amount_refunded > 0:
        return Donation.Status.PARTIALLY_REFUNDED
    return Donation.Status.SUCCEEDED


def ledger_totals(*, period_id: int) -> tuple[int, int]:
    """Sum the ledger for one period: (raised, donors). A donor is an e-mail, or a gift without one;
    a reversed offline gift makes no one a donor."""
    rows = Donation.objects.filter(COUNTED, period_id=period_id).annotate(net=donation_net_expression())
    donor_key = Coalesce(NullIf(F("donor_email"), Value("")), Cast("id", CharField()))
    totals = rows.aggregate(
        raised=Coalesce(Sum("net"), Value(0)),
        donors=Count(donor_key, distinct=True, filter=Q(net__gt=0, reversed_by__isnull=True)),
    )
    return totals["raised"], totals["donors"]


def period_recompute(*, period_id: int) -> Period:
    """Store the period's totals as the ledger sums them now. Safe to run any number of times."""
    with transaction.atomic():
        # Two recomputes of one period run one after the other, so an older sum never overwrites a newer one.
        Period.objects.select_for_update(no_key=True).filter(pk=period_id).first()
        raised, donors = ledger_totals(period_id=period_id)
        Period.objects.filter(pk=period_id).update(raised=raised, donors=donors, recomputed_at=timezone.now())
        period_breakdown_store(period_id=period_id)
    return Period.objects.select_related("campaign").get(pk=period_id)


def period_breakdown_store(*, period_id: int) -> None:
    """The month's stored breakdown (one-time/monthly/offline, supporters, run-rate, refunds, disputes);
    kept apart from the totals above so each can change on its own. See fundraising/ledger/breakdown.py."""
    Period.objects.filter(pk=period_id).update(**period_breakdown(period_id=period_id, net=donation_net_expression()))


def periods_stale() -> list[int]:
    """Ids of periods whose stored totals differ from the ledger (a refresh lost while the broker was down).

    Checks the open months and any period with a ledger row saved after its last recompute."""
    touched = Q(closed_at__isnull=True) | Q(recomputed_at__isnull=True, donations__isnull=False)
    touched |= Q(donations__updated_at__gt=F("recomputed_at"))
    stale = []
    for period_id, raised, donors in Period.objects.filter(touched).values_list("pk", "raised", "donors").distinct():
        if ledger_totals(period_id=period_id) != (raised, donors):
            stale.append(period_id)
    return stale


def ledger_changed(*, period_id: int) -> None:
    """Call inside the transaction that changed the ledger: after commit, `period_changed` is sent and
    the pipeline (fundraising.pipeline) refreshes the period's totals, milestones and widgets."""
    transaction.on_commit(functools.partial(period_changed.send, sender=Donation, period_id=period_id))


def donation_settle(*, donation: Donation, old_period_id: int | None = None) -> Donation:
    """Derive the status from the stored facts, save, and refresh every period touched."""
    before = donation.status
    donation.status = donation_status_derive(donation)
    donation.save()
    for period_id in {old_period_id, donation.period_id} - {None}:
        ledger_changed(period_id=period_id)
    if donation.status != before:
        announce(donation_status_changed, donation_id=donation.pk, before=before, after=donation.status)
    return donation
