"""Ledger rules and totals: what a donation counts for, its status, and each period's sums.

Every ledger change goes through donation_settle, which records in the same transaction how the row's
contribution moved (fundraising/ledger/tally.py); a period's stored totals are those running figures,
and fundraising/ledger/verify.py checks them against a full sum of the ledger and repairs any difference."""

from django.db import transaction
from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, NullIf
from django.utils import timezone

from fundraising.campaigns.models import GoalKind, Period
from fundraising.core.bulk import rows_update
from fundraising.journal import kinds
from fundraising.journal.services import Happening, entries_write

from . import recurring, tally
from .breakdown import period_cancelled, period_run_rate, period_window, periods_breakdown
from .models import Donation

# A donation counts once it is paid; what it counts for is its amount less what was taken back.
COUNTED = Q(paid_at__isnull=False)
# Which rows (annotated with net=donation_net_expression()) make their donor key a supporter: a gift with a
# net, unless an offline reversal took it back. Used by every full sum (ledger_totals, verify, rebuild).
SUPPORTER = Q(net__gt=0, reversed_by__isnull=True)


def donation_net_expression():
    """What a donation contributes: amount (less a card fees cover the goal does not count) less refunds and
    (open or lost) disputes, never below 0;
    a reversing entry (an offline gift's correction) contributes minus the amount it takes back."""
    disputed = Case(
        When(dispute_status__in=[Donation.Dispute.OPEN, Donation.Dispute.LOST], then=F("amount_disputed")),
        default=Value(0),
    )
    # A cover the goal does not count is left out; a refund or a dispute comes out of the gift first (Stripe keeps
    # its fee on a refund, so the cover was spent whatever is refunded): docs/owners.md#cover-the-fees.
    uncounted = Case(When(fee_cover_counted=False, then=F("fee_cover")), default=Value(0))
    kept = Greatest(F("amount") - uncounted - F("amount_refunded") - disputed, Value(0))
    return Case(When(reverses__isnull=False, then=-F("amount")), default=kept)


def donation_net(donation: Donation) -> int:
    """The same rule as donation_net_expression, for one row in Python."""
    if donation.paid_at is None:
        return 0
    if donation.reverses_id is not None:
        return -donation.amount
    disputed = donation.amount_disputed if donation.dispute_status in ("open", "lost") else 0
    uncounted = 0 if donation.fee_cover_counted else donation.fee_cover
    return max(donation.amount - uncounted - donation.amount_refunded - disputed, 0)


def donation_kept(donation: Donation) -> int:
    """What the donor paid and the organisation kept, a card fees cover included whatever the goal counts (a
    supporter's statement shows this: they paid the cover too); the goal's figures use donation_net."""
    if donation.paid_at is None or donation.reverses_id is not None:
        return donation_net(donation)
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
        donors=Count(donor_key, distinct=True, filter=SUPPORTER),
    )
    return totals["raised"], totals["donors"]


def period_recompute(*, period_id: int) -> Period:
    """Store the period's totals from its running figures (a few rows, whatever the ledger's size).
    Safe to run any number of times."""
    periods = periods_recompute(period_ids=[period_id])
    if not periods:
        raise Period.DoesNotExist(f"no period {period_id}")
    return periods[0]


def periods_recompute(*, period_ids) -> list[Period]:
    """period_recompute for several periods (a drain's batch) in three statements whatever their number: their rows
    locked together in id order (so two batches never deadlock) and read with their campaigns, their running figures
    folded in one statement, their totals stored in one (two when some count supporters). A recurring goal's
    run-rate is made current as period_recompute does it, period by period. Returns the periods, as stored, in
    the order asked; an id with no period is left out."""
    with transaction.atomic():
        # Two recomputes of one period run one after the other, so an older sum never overwrites a newer one.
        locked = {
            period.pk: period
            for period in Period.objects.select_for_update(no_key=True, of=("self",))
            .select_related("campaign")
            .filter(pk__in=sorted(set(period_ids)))
            .order_by("pk")
        }
        if not locked:
            return []
        figures = tally.periods_tally_fold(period_ids=list(locked))
        now = timezone.now()
        counted, supporters = {}, {}
        for period_id, period in locked.items():
            period.raised, period.donors, streams = figures[period_id]
            period.recomputed_at = now
            if period.goal_kind == GoalKind.SUPPORTERS:
                period.monthly_supporters = streams  # the goal's figure, from the running figures too
                supporters[period_id] = {"raised": period.raised, "donors": period.donors}
                supporters[period_id]["monthly_supporters"] = streams
            else:
                counted[period_id] = {"raised": period.raised, "donors": period.donors}
        rows_update(Period, counted, same={"recomputed_at": now})
        rows_update(Period, supporters, same={"recomputed_at": now})
        for period in locked.values():
            if period.goal_kind == GoalKind.RECURRING:
                period.recurring = recurring_store(period, now)
    return [locked[period_id] for period_id in period_ids if period_id in locked]


def recurring_store(period, now):
    """A goal in recurring money is drawn from the run-rate, so it must be current: the open month's from its
    running figures (fundraising/ledger/recurring.py, two small reads); a closed month's from the ledger (it runs
    when a closed month is repaired, not on the open month's refreshes). The rest of the breakdown waits for its
    debounced task, as for the other goals. Returns the rate stored."""
    rate = recurring.run_rate_now(period, now) if period_holds(period, now) else period_run_rate(period)
    Period.objects.filter(pk=period.pk).update(recurring=rate)
    return rate


def period_breakdown_store(*, period_id: int) -> None:
    """The month's stored breakdown (one-time/monthly/offline, supporters, run-rate, refunds, disputes);
    kept apart from the totals above so each can change on its own. See fundraising/ledger/breakdown.py.

    The open month's comes from its running figures (periods_breakdown_running: a few small reads, whatever the
    month's size); the pipeline runs it debounced after changes. A month that has ended is summed in full
    (breakdown.periods_breakdown): the rollover stores that when it closes the month."""
    periods_breakdown_store(period_ids=[period_id])


def periods_breakdown_store(*, period_ids) -> None:
    """period_breakdown_store for many periods at once (the months the rollover closed), in a few queries."""
    started = timezone.now()  # before reading: a change folded after this is not in the breakdown
    periods = list(Period.objects.select_related("campaign").filter(pk__in=period_ids).order_by("pk"))
    running = [period for period in periods if period.closed_at is None and period_holds(period, started)]
    summed = [period.pk for period in periods if period not in running]
    breakdowns = periods_breakdown(period_ids=summed, net=donation_net_expression()) if summed else {}
    with transaction.atomic():
        breakdowns.update(periods_breakdown_running(periods=running, now=started))
        rows_update(Period, breakdowns, same={"breakdown_at": started})


def period_holds(period, moment) -> bool:
    start, end = period_window(period)
    return start <= moment < end


def periods_breakdown_running(*, periods, now) -> dict:
    """The breakdown of open months that hold `now`, from their running figures ({period id: columns}): the
    periods' rows locked (as a refresh does, so a fold runs alone), their change rows folded (one statement),
    then per period the run-rate (recurring.run_rate_now) and the subscriptions ended (breakdown.period_cancelled,
    an index range): 3 + 2 per period queries, none of which reads the month's gifts."""
    if not periods:
        return {}
    ids = [period.pk for period in periods]
    list(Period.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk"))
    figures = tally.periods_figures_fold(period_ids=ids)
    breakdowns = {}
    for period in periods:
        mine = figures[period.pk]
        breakdowns[period.pk] = {
            **{column: mine[column] for column in tally.MONEY},
            "monthly_supporters": mine["streams"],
            "new_monthly": mine["new_streams"],
            "cancelled_monthly": period_cancelled(period),
            "recurring": recurring.run_rate_now(period, now),
        }
    return breakdowns


def periods_breakdown_lost(*, grace, now=None, limit=500) -> list[int]:
    """Open months whose totals moved more than `grace` ago and whose breakdown is older than that move: the
    debounced breakdown task was lost (the broker down, Redis emptied), since it runs within its debounce."""
    now = now or timezone.now()
    return list(
        Period.objects.filter(closed_at__isnull=True, recomputed_at__lte=now - grace)
        .filter(Q(breakdown_at__isnull=True) | Q(breakdown_at__lt=F("recomputed_at")))
        .order_by("recomputed_at")
        .values_list("pk", flat=True)[:limit]
    )


def periods_stale() -> list[int]:
    """Ids of periods whose stored totals miss ledger changes (a refresh lost while the broker was down):
    those with running-figure changes no recompute has folded yet, and open months whose stored totals
    differ from their folded figures. Reads no ledger row: it costs what changed and two numbers per open month."""
    return sorted(set(tally.periods_dirty()) | set(tally.periods_drifted()))


def ledger_changed(*, period_id: int) -> None:
    """Call inside the transaction that changed a period's figures without settling one row (a bulk load, a
    repair): it journals a period.changed entry, and after commit the pipeline refreshes the period's totals,
    milestones and widgets."""
    entries_write([Happening(kind=kinds.PERIOD_CHANGED, period_id=period_id)])


def donation_stream(donation: Donation, net: int) -> tuple[str, int, int] | None:
    """A standing monthly gift's part in the monthly supporters (fundraising/ledger/breakdown.py): its stream's
    key (subscription, else e-mail; "" for a gift that is a stream of its own), its net and its campaign. A
    reversal and the gift it cancels are no part of it (breakdown.STANDING)."""
    if donation.kind != Donation.Kind.MONTHLY or donation.reverses_id is not None or donation.reversed:
        return None
    return donation.stripe_subscription_id or donation.donor_email or "", net, donation.campaign_id


def donation_money(donation: Donation, net: int) -> tuple[int, ...]:
    """A counted row's part in each money column of the breakdown (tally.MONEY's order), as breakdown.money_sums
    sums them: its net by kind and source, what was refunded and disputed, and the card fees cover it still holds
    (a refund or dispute takes the gift first, the cover last) while it stands."""
    repeats = donation.kind in (Donation.Kind.MONTHLY, Donation.Kind.YEARLY)
    held_dispute = donation.dispute_status in (Donation.Dispute.OPEN, Donation.Dispute.LOST)
    disputed = donation.amount_disputed if held_dispute else 0
    held = 0
    if donation.reverses_id is None and not donation.reversed:
        held = min(donation.fee_cover, max(donation.amount - donation.amount_refunded - disputed, 0))
    return (
        0 if repeats else net,
        net if donation.kind == Donation.Kind.MONTHLY else 0,
        net if donation.kind == Donation.Kind.YEARLY else 0,
        net if donation.source == Donation.Source.OFFLINE else 0,
        donation.amount_refunded,
        disputed,
        held,
        held if donation.fee_cover_counted else 0,
    )


def donation_contribution(donation: Donation) -> tuple | None:
    """What a ledger row adds to its period's running figures: (period_id, donor e-mail or "", net, own,
    stream, money), where `own` is how a row without an e-mail moves the donor count by itself: a paid gift
    with a net is a donor of its own (1), and the reversal of such a gift takes that donor away again (-1);
    stream is donation_stream's and money donation_money's."""
    if donation.paid_at is None or donation.period_id is None:
        return None
    net = donation_net(donation)
    own = -1 if donation.reverses_id is not None else int(net > 0)
    stream = donation_stream(donation, net)
    return donation.period_id, donation.donor_email or "", net, own, stream, donation_money(donation, net)


def donation_contribution_stored(donation: Donation) -> tuple | None:
    """The contribution of the row as it was loaded (under its row lock; None for a new row). A row loaded
    with deferred fields is read again, locked."""
    if donation._state.adding:
        return None
    loaded = getattr(donation, "_loaded", None)
    if loaded is None:
        fields = [f.name for f in Donation._meta.concrete_fields if f.attname in Donation.CONTRIBUTION_FIELDS]
        stored = Donation.objects.select_for_update().filter(pk=donation.pk).only(*fields).first()
        return donation_contribution(stored) if stored else None
    return donation_contribution(Donation(**loaded))


def donation_store(*, donation: Donation) -> Donation:
    """Save a ledger row and move its period's running figures in the same transaction."""
    with transaction.atomic(savepoint=False):
        before = donation_contribution_stored(donation)
        loaded = None if donation._state.adding else getattr(donation, "_loaded", None)
        if loaded is None and not donation._state.adding:
            loaded = _loaded_read(donation)
        donation.save()
        tally.contribution_move(before=before, after=donation_contribution(donation))
        recurring.stream_follow(donation=donation, loaded=loaded)
        donation._loaded = {name: getattr(donation, name) for name in Donation.CONTRIBUTION_FIELDS}
    return donation


def _loaded_read(donation):
    """The contribution fields of a stored row as they are (a row loaded with deferred fields)."""
    names = list(Donation.CONTRIBUTION_FIELDS)
    return Donation.objects.filter(pk=donation.pk).values(*names).first()


def donation_reversed_mark(*, donation: Donation) -> None:
    """Store that an offline reversal now cancels this gift (call in the reversal's transaction, the gift's row
    locked): only the `reversed` column changes, and the running figures move with it (the gift leaves the
    monthly supporters). The wall reads this state instead of joining the reversal."""
    before = donation_contribution_stored(donation)
    donation.reversed = True
    Donation.objects.filter(pk=donation.pk).update(reversed=True)
    tally.contribution_move(before=before, after=donation_contribution(donation))
    recurring.stream_follow(donation=donation, loaded=None)  # the stream's latest gift may no longer stand
    if getattr(donation, "_loaded", None) is not None:
        donation._loaded = {**donation._loaded, "reversed": True}


UNCOUNTED_STATUSES = (Donation.Status.PENDING, Donation.Status.FAILED, Donation.Status.EXPIRED)


def donation_settle(*, donation: Donation, old_period_id: int | None = None) -> Donation:
    """Derive the status from the stored facts, store the row (and its period's running figures), and
    journal what happened, in one transaction. The one way a ledger row changes.

    The journal entry says what the change was (fundraising/journal/kinds.py): the row became counted, its
    refunded total grew, or it changed otherwise. After commit its consumers refresh the periods touched
    and send receipts and outgoing events; the ledger knows none of them."""
    # The status is only ever set here (or to failed/expired while unpaid), so the stored one says
    # whether the row counted before these facts arrived.
    was_counted = donation.status not in UNCOUNTED_STATUSES
    before = donation.status
    donation.status = donation_status_derive(donation)
    with transaction.atomic(savepoint=False):
        donation_store(donation=donation)
        donation_journal(donation=donation, before=before, was_counted=was_counted, old_period_id=old_period_id)
    return donation


def donation_journal(*, donation, before, was_counted, old_period_id=None):
    """The journal entries of one settled row: counted and refunded have natural keys (told again, they
    add nothing); when neither is new, the change itself is the entry, so the periods are refreshed."""
    moved = old_period_id if old_period_id not in (None, donation.period_id) else None
    common = {
        "organization_id": donation.campaign.organization_id,
        "campaign_id": donation.campaign_id,
        "period_id": donation.period_id,
        "donation_id": donation.pk,
    }
    data = {"before": before, "after": donation.status, "old_period_id": moved}
    happenings = []
    if donation.paid_at is not None and not was_counted:
        happenings.append(
            Happening(kind=kinds.DONATION_COUNTED, key=f"donation.counted:{donation.pk}", data=data, **common)
        )
    if donation.paid_at is not None and donation.amount_refunded > 0:
        key = f"donation.refunded:{donation.pk}:{donation.amount_refunded}"
        refunded = data | {"amount_refunded": donation.amount_refunded}
        happenings.append(Happening(kind=kinds.DONATION_REFUNDED, key=key, data=refunded, **common))
    if happenings and entries_write(happenings):
        return
    entries_write([Happening(kind=kinds.DONATION_CHANGED, data=data, **common)])


def donation_messages_hide(*, donations, hidden: bool = True) -> int:
    """Take these gifts' messages off the supporters wall (hidden=False puts them back); the message itself
    stays in the ledger. Each changed row is journalled, so the pipeline rebuilds the wall after commit."""
    return _wall_hide(donations=donations, field="message_hidden", hidden=hidden)


def donation_names_hide(*, donations, hidden: bool = True) -> int:
    """Take these gifts' public names off the supporters wall, as for a message: the gift shows as anonymous,
    the name stays in the ledger, and the journal entry has the wall rebuilt in every format."""
    return _wall_hide(donations=donations, field="name_hidden", hidden=hidden)


def _wall_hide(*, donations, field, hidden):
    """Set `field` (message_hidden or name_hidden) on the rows where it differs: the count of changed rows."""
    with transaction.atomic():
        rows = list(
            Donation.objects.filter(pk__in=[d.pk for d in donations])
            .exclude(**{field: hidden})
            .select_related("campaign")
            .only("pk", "status", "campaign_id", "period_id", "campaign__organization_id")
        )
        changed = Donation.objects.filter(pk__in=[row.pk for row in rows]).update(**{field: hidden})
        entries_write(
            Happening(
                kind=kinds.DONATION_CHANGED,
                organization_id=row.campaign.organization_id,
                campaign_id=row.campaign_id,
                period_id=row.period_id,
                donation_id=row.pk,
                data={"before": row.status, "after": row.status, field: hidden},
            )
            for row in rows
        )
    return changed
