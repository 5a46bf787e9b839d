"""Running figures of each period (net raised, supporters), kept in the transaction of every ledger
change, so a refresh reads a few rows instead of summing the month (fundraising/ledger/verify.py sums
the ledger in full in the background and repairs any difference).

A ledger row contributes (period, donor e-mail or "", net) to the figures, and a standing monthly gift also
(stream key or "", net) to the period's monthly supporters; donation_settle passes what a
row contributed before and after a change to contribution_move, which records the difference:
- one PeriodTally row per period moved (insert-only: concurrent writers never queue on a counter);
- PeriodDonorNet, each e-mail donor's net in the period, whose sign says whether the donor counts;
- PeriodStreamNet, the same for each monthly stream with a key (a gift without one is a stream of its own).
period_tally_fold adds a period's change rows into its single folded row (callers hold the Period row)."""

from collections import Counter, defaultdict

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fundraising.campaigns.models import Period

from .models import PeriodDonorNet, PeriodStreamNet, PeriodTally

NET_ADD = (
    "INSERT INTO {table} (period_id, {column}, net) VALUES (%s, %s, %s) "
    "ON CONFLICT (period_id, {column}) DO UPDATE SET net = {table}.net + EXCLUDED.net RETURNING net"
)


def _net_add(model, column, *, period_id, value, delta):
    """Add to one net of a period (a donor's by e-mail, a monthly stream's by key); returns how the count of
    positive nets moves (-1, 0 or 1). A net back at 0 is deleted, so the table holds live ones only."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            NET_ADD.format(table=quote(model._meta.db_table), column=quote(column)), [period_id, value, delta]
        )
        after = cursor.fetchone()[0]
    if after == 0:
        model.objects.filter(period_id=period_id, net=0, **{column: value}).delete()
    return int(after > 0) - int(after - delta > 0)


def donor_net_add(*, period_id, email, delta):
    """Add to one donor's net in a period; returns how the period's donor count moves (-1, 0 or 1)."""
    return _net_add(PeriodDonorNet, "email", period_id=period_id, value=email, delta=delta)


def stream_net_add(*, period_id, key, delta):
    """Add to one monthly stream's net in a period; returns how the period's monthly supporters move."""
    return _net_add(PeriodStreamNet, "key", period_id=period_id, value=key, delta=delta)


def contribution_move(*, before, after):
    """Record that a ledger row now contributes `after` instead of `before`: each is
    (period_id, donor e-mail or "", net, own, stream) or None (ledger.services.donation_contribution), where
    stream is None or (stream key or "", net) for a standing monthly gift. Call in the transaction that
    changes the row."""
    if before == after:
        return
    raised, donors, streams, keyed, stream_keyed = Counter(), Counter(), Counter(), Counter(), Counter()
    for sign, part in ((-1, before), (1, after)):
        if part is None:
            continue
        period_id, email, net, own, stream = part
        raised[period_id] += sign * net
        if email:
            keyed[period_id, email] += sign * net
        else:  # a gift without an e-mail is a donor of its own (its reversal takes that back)
            donors[period_id] += sign * own
        if stream is not None:
            key, stream_net = stream
            if key:
                stream_keyed[period_id, key] += sign * stream_net
            else:  # a standing gift's net is never negative: a stream of its own counts while it nets > 0
                streams[period_id] += sign * int(stream_net > 0)
    for (period_id, email), delta in sorted(keyed.items()):
        if delta:
            donors[period_id] += donor_net_add(period_id=period_id, email=email, delta=delta)
    for (period_id, key), delta in sorted(stream_keyed.items()):
        if delta:
            streams[period_id] += stream_net_add(period_id=period_id, key=key, delta=delta)
    tally_add(raised=raised, donors=donors, streams=streams)


def tally_add(*, raised, donors, streams=None):
    """One change row per period whose figures move ({period_id: amount} for each)."""
    now = timezone.now()
    streams = streams or Counter()
    rows = [
        PeriodTally(
            period_id=period_id,
            raised=raised.get(period_id, 0),
            donors=donors.get(period_id, 0),
            streams=streams.get(period_id, 0),
            created_at=now,
        )
        for period_id in sorted(set(raised) | set(donors) | set(streams))
        if raised.get(period_id) or donors.get(period_id) or streams.get(period_id)
    ]
    PeriodTally.objects.bulk_create(rows)


# PostgreSQL folds in one statement (fewer round trips per refresh): the rows go, their sums come back in.
FOLD_SQL = (
    "WITH gone AS (DELETE FROM {table} WHERE period_id = ANY(%s) RETURNING period_id, raised, donors, streams), "
    "sums AS (SELECT period_id, SUM(raised) AS raised, SUM(donors) AS donors, SUM(streams) AS streams "
    "FROM gone GROUP BY period_id), "
    "folded AS (INSERT INTO {table} (period_id, raised, donors, streams, folded, created_at) "
    "SELECT period_id, raised, donors, streams, TRUE, %s FROM sums) "
    "SELECT period_id, raised, donors, streams FROM sums"
)


def periods_tally_fold(*, period_ids):
    """Fold each period's change rows into its one folded row; {period_id: (raised, donors, streams)}.

    Only folds run deletes on these rows, and callers hold the periods' rows locked, so two folds of one
    period run one after the other; change rows committed meanwhile are simply left for the next fold."""
    if connection.vendor == "postgresql":
        figures = dict.fromkeys(period_ids, (0, 0, 0))
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(PeriodTally._meta.db_table)
            cursor.execute(FOLD_SQL.format(table=table), [list(period_ids), timezone.now()])
            figures.update({row[0]: tuple(int(value) for value in row[1:]) for row in cursor.fetchall()})
        return figures
    rows = defaultdict(list)
    for row in PeriodTally.objects.filter(period_id__in=period_ids).values_list(
        "pk", "period_id", "raised", "donors", "streams", "folded"
    ):
        rows[row[1]].append(row)
    figures, stale_pks, folded = {}, [], []
    now = timezone.now()
    for period_id in period_ids:
        mine = rows.get(period_id, [])
        figures[period_id] = (sum(r[2] for r in mine), sum(r[3] for r in mine), sum(r[4] for r in mine))
        if len(mine) > 1 or (mine and not mine[0][5]):
            stale_pks += [r[0] for r in mine]
            raised, donors, streams = figures[period_id]
            folded.append(
                PeriodTally(
                    period_id=period_id, raised=raised, donors=donors, streams=streams, folded=True, created_at=now
                )  # fmt: skip
            )
    if stale_pks:
        PeriodTally.objects.filter(pk__in=stale_pks).delete()
        PeriodTally.objects.bulk_create(folded)
    return figures


def period_tally_fold(*, period_id):
    return periods_tally_fold(period_ids=[period_id])[period_id]


def period_tally_sum(*, period_id):
    """The period's figures without folding (what a fold would store)."""
    rows = PeriodTally.objects.filter(period_id=period_id).values_list("raised", "donors")
    return sum(r[0] for r in rows), sum(r[1] for r in rows)


def period_streams_sum(*, period_id):
    """The period's monthly supporters from its running figures, without folding."""
    return sum(PeriodTally.objects.filter(period_id=period_id).values_list("streams", flat=True))


def periods_drifted():
    """Ids of open periods whose stored totals differ from their folded figures (a write to the period
    lost outside the ledger's path). Compares two numbers per open month; reads no ledger row."""
    folded = PeriodTally.objects.filter(period=OuterRef("pk"), folded=True)
    return sorted(
        Period.objects.filter(closed_at__isnull=True)
        .annotate(
            folded_raised=Coalesce(Subquery(folded.values("raised")[:1]), Value(0)),
            folded_donors=Coalesce(Subquery(folded.values("donors")[:1]), Value(0)),
        )
        .filter(~Q(raised=F("folded_raised")) | ~Q(donors=F("folded_donors")))
        .values_list("pk", flat=True)
    )


def periods_dirty():
    """Ids of periods with changes no refresh has folded yet (a refresh lost while the broker was down).

    Reads only the unfolded rows (partial index), so its cost is what changed, not what exists."""
    unfolded = PeriodTally.objects.filter(folded=False)
    return sorted(set(unfolded.values_list("period_id", flat=True)))
