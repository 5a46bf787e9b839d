"""The background proof that the running figures (fundraising/ledger/tally.py) are the ledger's: sum the
ledger in full, compare, repair any difference and report it (log, and a counter in /healthz).

Repairs are additive corrections, computed from one consistent view of both sides, so they stay right
while donations keep arriving: a concurrent change moves the ledger and the figures by the same amount."""

import contextlib
import logging

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from fundraising.campaigns.models import Period

from . import recurring, tally
from .breakdown import MONTHLY, STANDING, hash_joins, money_sums, periods_money, stream_key
from .models import Donation, PeriodDonorNet, PeriodStreamNet, PeriodTally
from .services import COUNTED, SUPPORTER, donation_net_expression, ledger_changed

log = logging.getLogger(__name__)

VERIFY_KEY = "ledger:verify"
BATCH = 200


@contextlib.contextmanager
def consistent_reads():
    """A transaction whose reads all see one snapshot (REPEATABLE READ on PostgreSQL)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def ledger_totals_by_period(*, period_ids):
    """The full sum, as ledger_totals does it, for many periods: {period_id: (raised, donors)}."""
    donor_key = Coalesce(NullIf(F("donor_email"), Value("")), Cast("id", CharField()))
    rows = (
        Donation.objects.filter(COUNTED, period_id__in=period_ids)
        .annotate(net=donation_net_expression(), donor_key=donor_key)
        .values("period_id")
        .annotate(raised=Sum("net"), donors=Count("donor_key", distinct=True, filter=SUPPORTER))
        .order_by()
    )
    totals = dict.fromkeys(period_ids, (0, 0))
    totals.update({row["period_id"]: (row["raised"] or 0, row["donors"]) for row in rows})
    return totals


def tally_totals_by_period(*, period_ids):
    rows = (
        PeriodTally.objects.filter(period_id__in=period_ids)
        .values("period_id")
        .annotate(raised=Sum("raised"), donors=Sum("donors"))
    )
    totals = dict.fromkeys(period_ids, (0, 0))
    totals.update({row["period_id"]: (row["raised"], row["donors"]) for row in rows.order_by()})
    return totals


def donor_net_differences(*, period_ids):
    """[(period_id, email, ledger net - stored net)] for every e-mail donor whose stored net is wrong."""
    ledger = (
        Donation.objects.filter(COUNTED, period_id__in=period_ids)
        .exclude(donor_email="")
        .values("period_id", "donor_email")
        .annotate(net=Sum(donation_net_expression()))
        .values_list("period_id", "donor_email", "net")
        .order_by()
    )
    ledger_sql, ledger_params = ledger.query.sql_with_params()
    stored = PeriodDonorNet.objects.filter(period_id__in=period_ids).values_list("period_id", "email", "net")
    stored_sql, stored_params = stored.query.sql_with_params()
    # Composed of ORM-compiled queries; every value is a parameter.
    sql = (
        f"SELECT COALESCE(l.period_id, s.period_id), COALESCE(l.donor_email, s.email), "  # noqa: S608
        f"COALESCE(l.net, 0) - COALESCE(s.net, 0) FROM ({ledger_sql}) l FULL OUTER JOIN ({stored_sql}) s "
        f"ON l.period_id = s.period_id AND l.donor_email = s.email WHERE COALESCE(l.net, 0) <> COALESCE(s.net, 0)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ledger_params, *stored_params])
        return [tuple(row) for row in cursor.fetchall()]


# The monthly supporters as the breakdown counts them (the stored `reversed` state plays no part here).
STREAM_ROWS = COUNTED & MONTHLY & STANDING


def ledger_streams_by_period(*, period_ids):
    """{period_id: monthly supporters} by a full count, as fundraising/ledger/breakdown.py period_streams."""
    rows = (
        Donation.objects.filter(STREAM_ROWS, period_id__in=period_ids)
        .annotate(net=donation_net_expression(), key=stream_key())
        .values("period_id")
        .annotate(streams=Count("key", distinct=True, filter=Q(net__gt=0)))
        .values_list("period_id", "streams")
        .order_by()
    )
    return dict.fromkeys(period_ids, 0) | dict(rows)


def tally_streams_by_period(*, period_ids):
    rows = PeriodTally.objects.filter(period_id__in=period_ids).values("period_id").annotate(streams=Sum("streams"))
    return dict.fromkeys(period_ids, 0) | dict(rows.values_list("period_id", "streams").order_by())


def new_streams_by_period(*, period_ids):
    """{period_id: new monthly supporters} by a full count, as breakdown.period_streams counts new_monthly: the
    streams that count in the period and have no standing monthly gift in an earlier period of the campaign."""
    with hash_joins():
        return dict.fromkeys(period_ids, 0) | dict(new_streams_counted(Q(period_id__in=period_ids)))


def new_streams_counted(periods):
    """(period_id, new monthly supporters) of the periods matching `periods` (a Q on the ledger's rows)."""
    earlier = (
        Donation.objects.filter(STREAM_ROWS, campaign_id=OuterRef("campaign_id"))
        .filter(period__start__lt=OuterRef("period__start"))
        .annotate(key=stream_key())
        .filter(key=OuterRef("key"))
    )
    return (
        Donation.objects.filter(STREAM_ROWS, periods)
        .annotate(net=donation_net_expression(), key=stream_key())
        .filter(net__gt=0)
        .filter(~Exists(earlier))
        .values("period_id")
        .annotate(new=Count("key", distinct=True))
        .values_list("period_id", "new")
        .order_by()
    )


def breakdown_by_period(*, period_ids):
    """{period_id: {money column: amount, "new_streams": count}} by full sums (breakdown.py's definitions)."""
    zero = dict.fromkeys(tally.MONEY, 0)
    money = periods_money(period_ids, donation_net_expression())
    new = new_streams_by_period(period_ids=period_ids)
    return {period_id: {**money.get(period_id, zero), "new_streams": new[period_id]} for period_id in period_ids}


def tally_breakdown_by_period(*, period_ids):
    columns = (*tally.MONEY, "new_streams")
    rows = (
        PeriodTally.objects.filter(period_id__in=period_ids)
        .values("period_id")
        .annotate(**{f"sum_{column}": Sum(column) for column in columns})
    )
    figures = {period_id: dict.fromkeys(columns, 0) for period_id in period_ids}
    for row in rows.order_by():
        figures[row["period_id"]] = {column: row[f"sum_{column}"] for column in columns}
    return figures


def stream_nets_ledger(period_ids=None):
    """Each keyed monthly stream's net and count of standing gifts from the ledger (a stream key from a
    subscription or an e-mail): (period_id, key, net, gifts)."""
    key = Coalesce(
        NullIf(F("stripe_subscription_id"), Value("")), NullIf(F("donor_email"), Value("")), output_field=CharField()
    )
    periods = Q() if period_ids is None else Q(period_id__in=period_ids)
    return (
        Donation.objects.filter(STREAM_ROWS, periods)
        .annotate(stream=key)
        .exclude(stream=None)
        .values("period_id", "stream")
        .annotate(net=Sum(donation_net_expression()), gifts=Count("pk"))
        .values_list("period_id", "stream", "net", "gifts")
        .order_by()
    )


def stream_net_differences(*, period_ids):
    """[(period_id, key, ledger net - stored net, ledger gifts - stored gifts)] for every keyed monthly stream
    whose stored net or count of standing gifts is wrong."""
    rows = PeriodStreamNet.objects.filter(period_id__in=period_ids).values_list("period_id", "key", "net", "gifts")
    stored = {(period_id, key): (net, gifts) for period_id, key, net, gifts in rows}
    ledger = {(row[0], row[1]): (row[2], row[3]) for row in stream_nets_ledger(period_ids=period_ids)}
    differences = []
    for slot in sorted(set(stored) | set(ledger)):
        (want_net, want_gifts), (have_net, have_gifts) = ledger.get(slot, (0, 0)), stored.get(slot, (0, 0))
        if (want_net, want_gifts) != (have_net, have_gifts):
            differences.append((*slot, want_net - have_net, want_gifts - have_gifts))
    return differences


def reversed_state_repair(*, period_ids):
    """Ids of gifts whose stored `reversed` state disagrees with their reversal row; each is set right."""
    reversal = Donation.objects.filter(reverses=OuterRef("pk"))
    wrong = list(
        Donation.objects.filter(period_id__in=period_ids)
        .annotate(has_reversal=Exists(reversal))
        .exclude(reversed=F("has_reversal"))
        .values_list("pk", "has_reversal", "period_id")
    )
    for pk, has_reversal, _ in wrong:
        Donation.objects.filter(pk=pk).update(reversed=has_reversal)
    return wrong


def periods_verify_batch(*, period_ids):
    """Check and repair a batch of periods; {period_id: description} of each difference found."""
    found = {}
    with transaction.atomic():  # 0. the stored reversed state (the wall reads it)
        for pk, has_reversal, period_id in reversed_state_repair(period_ids=period_ids):
            found[period_id] = f"gift {pk} stored reversed={not has_reversal}"
            ledger_changed(period_id=period_id)
    with transaction.atomic():  # 1. each donor's net (their signs decide the donor count), each stream's
        for period_id, email, delta in donor_net_differences(period_ids=period_ids):
            tally.donor_net_add(period_id=period_id, email=email, delta=delta)
            found[period_id] = f"donor nets differ ({email!r} by {delta})"
        for period_id, key, delta, gifts in stream_net_differences(period_ids=period_ids):
            tally.stream_net_add(period_id=period_id, key=key, delta=delta, gifts=gifts)
            found[period_id] = f"monthly stream nets differ ({key!r} by {delta}, {gifts} gifts)"
    # 1b. the run-rate's stream states and month sums (their campaigns'), outside a transaction: it takes its own
    open_periods = Period.objects.filter(pk__in=period_ids, closed_at__isnull=True).order_by("pk")
    by_campaign = {}
    for period_id, campaign_id in open_periods.values_list("pk", "campaign_id"):
        by_campaign.setdefault(campaign_id, period_id)
    campaigns = set(Period.objects.filter(pk__in=period_ids).values_list("campaign_id", flat=True))
    for campaign_id, what in recurring.recurring_differences(sorted(campaigns), snapshot=consistent_reads):
        period_id = by_campaign.get(campaign_id)
        if period_id is not None:  # a closed month's run-rate is stored at close: the open month shows the repair
            found[period_id] = f"run-rate figures differ ({what})"
            with transaction.atomic():
                ledger_changed(period_id=period_id)
    with consistent_reads():  # 2. the period's figures, against the ledger in the same snapshot
        ledger = ledger_totals_by_period(period_ids=period_ids)
        stored = tally_totals_by_period(period_ids=period_ids)
        raised, donors = {}, {}
        for period_id in period_ids:
            if ledger[period_id] != stored[period_id]:
                raised[period_id] = ledger[period_id][0] - stored[period_id][0]
                donors[period_id] = ledger[period_id][1] - stored[period_id][1]
                found[period_id] = f"figures {stored[period_id]} but the ledger sums {ledger[period_id]}"
        counted = ledger_streams_by_period(period_ids=period_ids)
        kept = tally_streams_by_period(period_ids=period_ids)
        streams = {}
        for period_id in period_ids:
            if counted[period_id] != kept[period_id]:
                streams[period_id] = counted[period_id] - kept[period_id]
                found[period_id] = f"monthly supporters {kept[period_id]} but the ledger counts {counted[period_id]}"
        # The breakdown's running figures (money, new supporters) against its definition, in the same snapshot.
        summed = breakdown_by_period(period_ids=period_ids)
        running = tally_breakdown_by_period(period_ids=period_ids)
        breakdown = {column: {} for column in (*tally.MONEY, "new_streams")}
        for period_id in period_ids:
            if summed[period_id] != running[period_id]:
                for column, moves in breakdown.items():
                    moves[period_id] = summed[period_id][column] - running[period_id][column]
                differ = ", ".join(
                    f"{column} {running[period_id][column]} but the ledger sums {summed[period_id][column]}"
                    for column in breakdown
                    if running[period_id][column] != summed[period_id][column]
                )
                found.setdefault(period_id, f"breakdown: {differ}")
        tally.tally_add(raised=raised, donors=donors, streams=streams, **breakdown)
        for period_id in set(raised) | set(streams) | set(breakdown["new_streams"]):
            ledger_changed(period_id=period_id)  # the widget follows the repaired figures
    return found


def periods_verify(*, period_ids=None):
    """Verify periods (default: every open one) in batches; log and count each repair. Returns the count."""
    if period_ids is None:
        period_ids = list(Period.objects.filter(closed_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    repaired = 0
    for index in range(0, len(period_ids), BATCH):
        for period_id, what in periods_verify_batch(period_ids=period_ids[index : index + BATCH]).items():
            log.error("period %s: running figures repaired: %s", period_id, what)
            repaired += 1
    verify_record(checked=len(period_ids), repaired=repaired)
    return repaired


def verify_record(*, checked, repaired):
    report = verify_report() or {"repaired_total": 0}
    report.update(
        last_run=timezone.now().isoformat(),
        periods_checked=checked,
        repaired_last_run=repaired,
        repaired_total=report["repaired_total"] + repaired,
    )
    cache.set(VERIFY_KEY, report, timeout=None)


def verify_report():
    """What the last verification found, for /healthz: {last_run, periods_checked, repaired_...}."""
    return cache.get(VERIFY_KEY)


def tallies_rebuild(*, period_ids=None):
    """Replace the running figures of these periods (default: all) with full sums of the ledger, in two
    set-based statements, and the run-rate's stream states of their campaigns (all their months).
    For a ledger at rest: after loading rows in bulk (bench/scale.py), or an upgrade."""
    if period_ids is not None and not period_ids:
        return  # nothing to rebuild (an empty IN would compile to no query at all)
    periods = Q() if period_ids is None else Q(period_id__in=period_ids)
    with transaction.atomic():
        PeriodTally.objects.filter(periods).delete()
        PeriodDonorNet.objects.filter(periods).delete()
        PeriodStreamNet.objects.filter(periods).delete()
        donor_key = Coalesce(NullIf(F("donor_email"), Value("")), Cast("id", CharField()))
        figures = (
            Donation.objects.filter(COUNTED, periods)
            .annotate(net=donation_net_expression(), donor_key=donor_key)
            .values("period_id")
            .annotate(raised=Sum("net"), donors=Count("donor_key", distinct=True, filter=SUPPORTER), **money_sums())
            .values_list("period_id", "raised", "donors", *tally.MONEY)
            .order_by()
        )
        nets = (
            Donation.objects.filter(COUNTED, periods)
            .exclude(donor_email="")
            .values("period_id", "donor_email")
            .annotate(net=Sum(donation_net_expression()))
            .filter(net__gt=0)
            .values_list("period_id", "donor_email", "net")
            .order_by()
        )
        tally_table = connection.ops.quote_name(PeriodTally._meta.db_table)
        net_table = connection.ops.quote_name(PeriodDonorNet._meta.db_table)
        figures_sql, figures_params = figures.query.sql_with_params()
        nets_sql, nets_params = nets.query.sql_with_params()
        # Quoted table names and ORM-compiled queries; every value is a parameter.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {tally_table} (period_id, raised, donors, {', '.join(tally.MONEY)}, folded, "  # noqa: S608
                f"created_at) SELECT f.*, %s, %s FROM ({figures_sql}) f",
                [True, timezone.now(), *figures_params],
            )
            cursor.execute(
                f"INSERT INTO {net_table} (period_id, email, net) SELECT * FROM ({nets_sql}) n",  # noqa: S608
                nets_params,
            )
        streams_rebuild(periods=periods, period_ids=period_ids)
        campaigns = Period.objects.all() if period_ids is None else Period.objects.filter(pk__in=period_ids)
        recurring.recurring_rebuild(sorted(set(campaigns.values_list("campaign_id", flat=True))))


def streams_rebuild(*, periods, period_ids):
    """tallies_rebuild's part for the monthly supporters: the stream nets and gifts, and the counts (supporters,
    new supporters) on the folded rows."""
    counts = (
        Donation.objects.filter(STREAM_ROWS, periods)
        .annotate(net=donation_net_expression(), key=stream_key())
        .values("period_id")
        .annotate(streams=Count("key", distinct=True, filter=Q(net__gt=0)))
        .values_list("period_id", "streams")
        .order_by()
    )
    nets = stream_nets_ledger(period_ids=period_ids)
    new = new_streams_counted(periods)
    tally_table = connection.ops.quote_name(PeriodTally._meta.db_table)
    net_table = connection.ops.quote_name(PeriodStreamNet._meta.db_table)
    counts_sql, counts_params = counts.query.sql_with_params()
    nets_sql, nets_params = nets.query.sql_with_params()
    new_sql, new_params = new.query.sql_with_params()
    # Quoted table names and ORM-compiled queries; every value is a parameter.
    with hash_joins(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {tally_table} SET streams = c.streams FROM ({counts_sql}) c "  # noqa: S608
            f"WHERE {tally_table}.period_id = c.period_id AND {tally_table}.folded = %s",
            [*counts_params, True],
        )
        cursor.execute(
            f"UPDATE {tally_table} SET new_streams = c.new FROM ({new_sql}) c "  # noqa: S608
            f"WHERE {tally_table}.period_id = c.period_id AND {tally_table}.folded = %s",
            [*new_params, True],
        )
        cursor.execute(
            f"INSERT INTO {net_table} (period_id, key, net, gifts) SELECT * FROM ({nets_sql}) n",  # noqa: S608
            nets_params,
        )
