"""Running figures of each period (net raised, supporters), kept in the transaction of every ledger
change, so a refresh reads a few rows instead of summing the month (fundraising/ledger/verify.py sums
the ledger in full in the background and repairs any difference).

A ledger row contributes (period, donor e-mail or "", net) to the figures, and a standing monthly gift also
(stream key or "", net) to the period's monthly supporters; donation_settle passes what a
row contributed before and after a change to contribution_move, which records the difference:
- one PeriodTally row per period moved (insert-only: concurrent writers never queue on a counter);
- PeriodDonorNet, each e-mail donor's net in the period, whose sign says whether the donor counts;
- PeriodStreamNet, the same for each monthly stream with a key (a gift without one is a stream of its own).
period_tally_fold adds a period's change rows into its single folded row (callers hold the Period row).

The breakdown (fundraising/ledger/breakdown.py is the definition) is kept here too, so storing the open month's
reads these rows, not the month's gifts:
- the money columns (MONEY: one-time/monthly/yearly/offline nets, refunded, disputed, fee covers held and
  counted): each row adds its part (services.donation_money) to the same change row, additive like `raised`;
- monthly_supporters is `streams`; new_monthly is `new_streams`. A keyed stream is new in the month of its
  earliest PeriodStreamNet row (a row lives while the stream has a standing gift there, a net of 0 included, as
  the full count's "earlier" does), when it nets > 0 there. Each change to a keyed stream reads that first row
  before and after (stream_first: one index range on the key, as long as the stream's months) and moves the
  count of the month(s) concerned; a stream without a key is one gift, new wherever it counts. On PostgreSQL
  a stream's writers queue on an advisory lock (stream_lock), so both reads see every earlier write of it;
- cancelled_monthly is no running figure: it stays a bounded read of the month's subscription ends
  (breakdown.period_cancelled on the ledger_donation_ended index), whose cost is the ends, not the gifts."""

from collections import Counter, defaultdict

from django.db import connection
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fundraising.campaigns.models import Period

from .models import PeriodDonorNet, PeriodStreamNet, PeriodTally

# The breakdown's money columns (Period's names), in the order of services.donation_money's tuple.
MONEY = (
    "one_time_raised",
    "monthly_raised",
    "yearly_raised",
    "offline_raised",
    "refunded",
    "disputed",
    "fee_covers",
    "fee_covers_counted",
)
# Every column of a change row, in the order a fold returns them.
FIGURES = ("raised", "donors", "streams", "new_streams", *MONEY)

NET_ADD = (
    "INSERT INTO {table} (period_id, {column}, net) VALUES (%s, %s, %s) "
    "ON CONFLICT (period_id, {column}) DO UPDATE SET net = {table}.net + EXCLUDED.net RETURNING net"
)


def donor_net_add(*, period_id, email, delta):
    """Add to one donor's net in a period; returns how the period's donor count moves (-1, 0 or 1). A net back
    at 0 is deleted, so the table holds live ones only."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(NET_ADD.format(table=quote(PeriodDonorNet._meta.db_table), column=quote("email")),
                       [period_id, email, delta])  # fmt: skip
        after = cursor.fetchone()[0]
    if after == 0:
        PeriodDonorNet.objects.filter(period_id=period_id, net=0, email=email).delete()
    return int(after > 0) - int(after - delta > 0)


STREAM_ADD = (
    "INSERT INTO {table} (period_id, key, net, gifts) VALUES (%s, %s, %s, %s) ON CONFLICT (period_id, key) "
    "DO UPDATE SET net = {table}.net + EXCLUDED.net, gifts = {table}.gifts + EXCLUDED.gifts RETURNING net, gifts"
)


def stream_net_add(*, period_id, key, delta, gifts=0):
    """Add to one monthly stream's net (and its count of standing gifts) in a period; returns how the period's
    monthly supporters move (-1, 0 or 1). A row with neither a net nor a gift is deleted."""
    with connection.cursor() as cursor:
        cursor.execute(STREAM_ADD.format(table=connection.ops.quote_name(PeriodStreamNet._meta.db_table)),
                       [period_id, key, delta, gifts])  # fmt: skip
        after, count = cursor.fetchone()
    if after == 0 and count == 0:
        PeriodStreamNet.objects.filter(period_id=period_id, key=key, net=0, gifts=0).delete()
    return int(after > 0) - int(after - delta > 0)


def stream_lock(*, campaign_id, key):
    """Queue this transaction behind any other writing the same stream (PostgreSQL; SQLite has one writer)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"stream:{campaign_id}:{key}"])


def stream_first(*, campaign_id, key):
    """(period_id, counts) of a keyed stream's first month in the campaign (its earliest row), where counts says
    whether it nets > 0 there, i.e. is a new monthly supporter there; None when it has no standing gift."""
    row = (
        PeriodStreamNet.objects.filter(key=key, period__campaign_id=campaign_id, gifts__gt=0)
        .order_by("period__start")
        .values_list("period_id", "net")
        .first()
    )
    return None if row is None else (row[0], row[1] > 0)


def contribution_move(*, before, after):
    """Record that a ledger row now contributes `after` instead of `before`: each is
    (period_id, donor e-mail or "", net, own, stream, money) or None (ledger.services.donation_contribution),
    where stream is None or (stream key or "", net, campaign_id) for a standing monthly gift, and money the
    row's part of each MONEY column. Call in the transaction that changes the row."""
    if before == after:
        return
    raised, donors, streams, new, keyed = Counter(), Counter(), Counter(), Counter(), Counter()
    stream_nets, stream_gifts, money = Counter(), Counter(), defaultdict(Counter)
    for sign, part in ((-1, before), (1, after)):
        if part is None:
            continue
        period_id, email, net, own, stream, amounts = part
        raised[period_id] += sign * net
        for column, amount in zip(MONEY, amounts, strict=True):
            money[column][period_id] += sign * amount
        if email:
            keyed[period_id, email] += sign * net
        else:  # a gift without an e-mail is a donor of its own (its reversal takes that back)
            donors[period_id] += sign * own
        if stream is not None:
            key, stream_net, campaign_id = stream
            if key:
                stream_nets[campaign_id, key, period_id] += sign * stream_net
                stream_gifts[campaign_id, key, period_id] += sign
            else:  # a standing gift's net is never negative: a stream of its own counts while it nets > 0,
                streams[period_id] += sign * int(stream_net > 0)
                new[period_id] += sign * int(stream_net > 0)  # and has no earlier month: it is new there
    for (period_id, email), delta in sorted(keyed.items()):
        if delta:
            donors[period_id] += donor_net_add(period_id=period_id, email=email, delta=delta)
    for campaign_id, key in sorted({slot[:2] for slot in stream_nets}):
        changes = [(slot[2], stream_nets[slot], stream_gifts[slot]) for slot in sorted(stream_nets)
                   if slot[:2] == (campaign_id, key) and (stream_nets[slot] or stream_gifts[slot])]  # fmt: skip
        if changes:
            _stream_move(campaign_id, key, changes, streams=streams, new=new)
    tally_add(raised=raised, donors=donors, streams=streams, new_streams=new, **money)


def _stream_move(campaign_id, key, changes, *, streams, new):
    """Apply one keyed stream's changes [(period_id, net delta, gifts delta)] and move the months' monthly
    supporters and new supporters with them."""
    stream_lock(campaign_id=campaign_id, key=key)
    first = stream_first(campaign_id=campaign_id, key=key)
    for period_id, delta, gifts in changes:
        streams[period_id] += stream_net_add(period_id=period_id, key=key, delta=delta, gifts=gifts)
    for sign, state in ((-1, first), (1, stream_first(campaign_id=campaign_id, key=key))):
        if state is not None and state[1]:
            new[state[0]] += sign


def tally_add(**columns):
    """One change row per period whose figures move: each column of FIGURES as {period_id: amount}."""
    now = timezone.now()
    periods = sorted({period_id for moves in columns.values() for period_id, amount in moves.items() if amount})
    rows = [
        PeriodTally(
            period_id=period_id,
            created_at=now,
            **{column: moves.get(period_id, 0) for column, moves in columns.items()},
        )  # fmt: skip
        for period_id in periods
    ]
    PeriodTally.objects.bulk_create(rows)


_COLUMNS = ", ".join(FIGURES)
_SUMS = ", ".join(f"SUM({column}) AS {column}" for column in FIGURES)
# PostgreSQL folds in one statement (fewer round trips per refresh): the rows go, their sums come back in.
# Only the model's column names go into the text; the values are parameters.
FOLD_SQL = (
    f"WITH gone AS (DELETE FROM {{table}} WHERE period_id = ANY(%s) RETURNING period_id, {_COLUMNS}), "  # noqa: S608
    f"sums AS (SELECT period_id, {_SUMS} FROM gone GROUP BY period_id), "
    f"folded AS (INSERT INTO {{table}} (period_id, {_COLUMNS}, folded, created_at) "
    f"SELECT period_id, {_COLUMNS}, TRUE, %s FROM sums) "
    f"SELECT period_id, {_COLUMNS} FROM sums"
)


def periods_tally_fold(*, period_ids):
    """Fold each period's change rows into its one folded row; {period_id: (raised, donors, streams)}."""
    return {
        period_id: (figures["raised"], figures["donors"], figures["streams"])
        for period_id, figures in periods_figures_fold(period_ids=period_ids).items()
    }


def period_tally_fold(*, period_id):
    return periods_tally_fold(period_ids=[period_id])[period_id]


def periods_figures_fold(*, period_ids):
    """Fold each period's change rows into its one folded row; {period_id: {column of FIGURES: value}}.

    Only folds run deletes on these rows, and callers hold the periods' rows locked, so two folds of one
    period run one after the other; change rows committed meanwhile are simply left for the next fold."""
    zero = dict.fromkeys(FIGURES, 0)
    figures = {period_id: dict(zero) for period_id in period_ids}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(PeriodTally._meta.db_table)
            cursor.execute(FOLD_SQL.format(table=table), [list(period_ids), timezone.now()])
            for period_id, *values in cursor.fetchall():
                figures[period_id] = {column: int(value) for column, value in zip(FIGURES, values, strict=True)}
        return figures
    rows = defaultdict(list)
    for row in PeriodTally.objects.filter(period_id__in=period_ids).values("pk", "period_id", "folded", *FIGURES):
        rows[row["period_id"]].append(row)
    stale_pks, folded = [], []
    now = timezone.now()
    for period_id in period_ids:
        mine = rows.get(period_id, [])
        figures[period_id] = {column: sum(row[column] for row in mine) for column in FIGURES}
        if len(mine) > 1 or (mine and not mine[0]["folded"]):
            stale_pks += [row["pk"] for row in mine]
            folded.append(PeriodTally(period_id=period_id, folded=True, created_at=now, **figures[period_id]))
    if stale_pks:
        PeriodTally.objects.filter(pk__in=stale_pks).delete()
        PeriodTally.objects.bulk_create(folded)
    return figures


def period_figures_sum(*, period_id):
    """Every running figure of the period (FIGURES) without folding (what a fold would store)."""
    rows = PeriodTally.objects.filter(period_id=period_id).values_list(*FIGURES)
    return {column: sum(row[index] for row in rows) for index, column in enumerate(FIGURES)}


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
