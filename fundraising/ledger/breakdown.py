"""A period's breakdown from the ledger: one-time vs monthly money, offline gifts, monthly supporters (new,
cancelled), the recurring run-rate, refunds and disputes. services.periods_breakdown_store stores it on the
Period so history pages and goal kinds read one row per month instead of summing donations.

What follows is the definition, as full sums of the ledger: the rollover stores it when a month closes, and
fundraising/ledger/verify.py compares the running figures with it. The open month's breakdown is stored from
those running figures instead (fundraising/ledger/tally.py, kept in the transaction of every ledger change),
so storing it costs the same whatever the month's size.

A monthly supporter is a "stream": a Stripe subscription, or for monthly offline gifts (standing orders)
the supporter's e-mail, or the gift itself when it has none.

A yearly gift (Donation.Kind.YEARLY) counts whole in the month it is paid (raised, donors, yearly_raised) and
is no monthly supporter; the run-rate counts it as a twelfth while it is in force: from its payment until a
year later (period_run_rate)."""

import contextlib
import datetime

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Greatest, Least, NullIf
from django.utils import timezone

from fundraising.campaigns.models import Period

from .models import Donation

COUNTED = Q(paid_at__isnull=False)
MONTHLY = Q(kind=Donation.Kind.MONTHLY)
YEARLY = Q(kind=Donation.Kind.YEARLY)
RECURRING = MONTHLY | YEARLY
# Reversals and the gifts they cancel add nothing to any breakdown figure.
STANDING = Q(reverses__isnull=True, reversed_by__isnull=True)
HELD = [Donation.Dispute.OPEN, Donation.Dispute.LOST]


def stream_key():
    return Coalesce(
        NullIf(F("stripe_subscription_id"), Value("")),
        NullIf(F("donor_email"), Value("")),
        Cast("id", CharField()),
        output_field=CharField(),
    )


def period_window(period):
    """The period's first and last instants (UTC datetimes, end exclusive) in the campaign's time zone."""
    tz = period.campaign.tz
    start = datetime.datetime.combine(period.start, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    return start, end


def previous_start(day):
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def money_sums():
    disputed = Case(When(dispute_status__in=HELD, then=F("amount_disputed")), default=Value(0))
    zero = Value(0)
    held = Least(F("fee_cover"), Greatest(F("amount") - F("amount_refunded") - disputed, zero))
    return {
        "one_time_raised": Coalesce(Sum("net", filter=~RECURRING), zero),
        "monthly_raised": Coalesce(Sum("net", filter=MONTHLY), zero),
        "yearly_raised": Coalesce(Sum("net", filter=YEARLY), zero),
        "offline_raised": Coalesce(Sum("net", filter=Q(source=Donation.Source.OFFLINE)), zero),
        "refunded": Coalesce(Sum("amount_refunded"), zero),
        "disputed": Coalesce(Sum(disputed), zero),
        # The covers still held: a refund or dispute takes the gift first, the cover last (ledger/services.py),
        # so `raised` less the counted ones is exactly the gifts, and plus the others exactly all that was paid.
        "fee_covers": Coalesce(Sum(held, filter=STANDING), zero),
        "fee_covers_counted": Coalesce(Sum(held, filter=STANDING & Q(fee_cover_counted=True)), zero),
    }


def period_money(period, net):
    """One-time, monthly and offline nets; refunded and disputed amounts of the period's gifts."""
    return Donation.objects.filter(COUNTED, period_id=period.pk).annotate(net=net).aggregate(**money_sums())


def periods_money(period_ids, net):
    """period_money of many periods in one grouped query: {period id: figures}, periods without gifts left out."""
    rows = (
        Donation.objects.filter(COUNTED, period_id__in=period_ids)
        .annotate(net=net)
        .values("period_id")
        .order_by("period_id")
        .annotate(**money_sums())
    )
    return {row.pop("period_id"): row for row in rows}


@contextlib.contextmanager
def hash_joins():
    """PostgreSQL: the full counts inside join by hash, never by nested loop (SET LOCAL in a savepoint, put back
    after). "New monthly supporter" is a NOT EXISTS over the campaign's earlier months keyed by an expression (the
    stream key), and the planner estimates one row for the `net > 0` filter, so it chose a nested loop that reads
    the campaign's whole history once per gift: with 50,000 monthly gifts in a month and any earlier month in the
    database, over 16 minutes (a test at 100,000 gifts; a hash anti join: 0.7 s). Other databases: nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_nestloop = off")
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")  # not for the rest of an enclosing transaction


def period_streams(period, net):
    """Monthly supporters this month (gifts that still count), how many are new (no monthly gift in an
    earlier month), and how many monthly gifts ended this month."""
    monthly = Donation.objects.filter(COUNTED, MONTHLY, STANDING, campaign_id=period.campaign_id)
    here = monthly.filter(period_id=period.pk).annotate(key=stream_key(), net=net)
    earlier = monthly.filter(period__start__lt=period.start).annotate(key=stream_key()).filter(key=OuterRef("key"))
    counted = here.filter(net__gt=0)
    with hash_joins():
        return {
            "monthly_supporters": counted.aggregate(n=Count("key", distinct=True))["n"],
            "new_monthly": counted.filter(~Exists(earlier)).aggregate(n=Count("key", distinct=True))["n"],
            "cancelled_monthly": period_cancelled(period),
        }


def period_cancelled(period):
    """How many subscriptions ended in the period: one index range of the campaign's monthly gifts by their end
    (ledger_donation_ended), so it reads the gifts of those subscriptions, never the month's gifts. The open
    month's stored breakdown reads it as it is (no running figure: tally.py's note)."""
    start, end = period_window(period)
    ended = (
        Donation.objects.filter(MONTHLY, campaign_id=period.campaign_id)
        .filter(subscription_ended_at__gte=start, subscription_ended_at__lt=end)
        .exclude(stripe_subscription_id="")
    )
    return ended.values("stripe_subscription_id").distinct().count()


def year_before(moment, tz):
    """The same wall-clock instant one calendar year earlier in the campaign's time zone (29 February: the 28th)."""
    local = moment.astimezone(tz)
    try:
        earlier = local.replace(year=local.year - 1)
    except ValueError:
        earlier = local.replace(year=local.year - 1, day=28)
    return earlier


def _latest_by_stream(rows):
    """{stream key: amount of its latest gift (0 when fully refunded)} from rows ordered by (paid_at, id). A card fees
    cover is in the run-rate as it is in the goal (the row's fee_cover_counted)."""
    latest = {}
    for key, amount, refunded, cover, counted in rows.iterator(chunk_size=2000):
        latest[key] = amount - (0 if counted else cover) if refunded < amount else 0
    return latest


def period_run_rate(period, now=None):
    """What the recurring streams in force at the period's end (or now, for the open month) bring each month.

    A monthly stream: its latest gift paid this month or last, not ended, not fully refunded.
    A yearly stream: its latest gift paid less than a year before that instant (and before the period's end),
    not ended, not fully refunded; so it counts in exactly the twelve months its payment covers when they
    close. The yearly amounts in force are summed and floor-divided by 12 once (integer minor units: three
    yearly gifts of 100 bring 300 // 12 = 25 a month, not 3 × 8).

    This is the definition, and a full read of those gifts: the closed months' run-rate (at close, in the
    debounced breakdown). The open month's refresh reads the same figure from running figures instead
    (fundraising/ledger/recurring.py run_rate_now, flat; tests/ledger/test_recurring_flat.py compares both)."""
    _, end = period_window(period)
    cutoff = min(end, now or timezone.now())
    window_start = datetime.datetime.combine(previous_start(period.start), datetime.time(), tzinfo=period.campaign.tz)
    standing = (
        Donation.objects.filter(COUNTED, STANDING, campaign_id=period.campaign_id)
        .filter(paid_at__lt=end)
        .filter(Q(subscription_ended_at__isnull=True) | Q(subscription_ended_at__gt=cutoff))
        .annotate(key=stream_key())
        .order_by("paid_at", "pk")  # the latest by (paid_at, id): one answer for gifts paid at one instant
        .values_list("key", "amount", "amount_refunded", "fee_cover", "fee_cover_counted")
    )
    monthly = _latest_by_stream(standing.filter(MONTHLY, paid_at__gte=window_start))
    yearly = _latest_by_stream(standing.filter(YEARLY, paid_at__gt=year_before(cutoff, period.campaign.tz)))
    return sum(monthly.values()) + sum(yearly.values()) // 12


def period_breakdown(*, period_id, net):
    """Every breakdown column of Period as the ledger says now, ready for update(**...); `net` is the
    ledger's donation_net_expression() (passed in: services imports this module, not the reverse)."""
    period = Period.objects.select_related("campaign").get(pk=period_id)
    return {**period_money(period, net), **period_streams(period, net), "recurring": period_run_rate(period)}


# What a campaign that never had a monthly or yearly gift shows in every recurring figure.
NO_MONTHLY = {"monthly_supporters": 0, "new_monthly": 0, "cancelled_monthly": 0, "recurring": 0}


def periods_breakdown(*, period_ids, net):
    """period_breakdown of many periods (the rollover closes thousands): {period id: columns}. The money in one
    grouped query; the recurring figures only for campaigns that have any monthly or yearly gift (without one
    they are 0), so a batch of one-time campaigns costs three queries."""
    periods = list(Period.objects.select_related("campaign").filter(pk__in=period_ids))
    money = periods_money([period.pk for period in periods], net)
    with_monthly = set(
        Donation.objects.filter(RECURRING, campaign_id__in={period.campaign_id for period in periods})
        .order_by()
        .values_list("campaign_id", flat=True)
        .distinct()
    )
    zero = dict.fromkeys(money_sums(), 0)
    breakdowns = {}
    for period in periods:
        monthly = (
            {**period_streams(period, net), "recurring": period_run_rate(period)}
            if period.campaign_id in with_monthly
            else NO_MONTHLY
        )
        breakdowns[period.pk] = {**money.get(period.pk, zero), **monthly}
    return breakdowns
