"""The run-rate's running figures: the open month's recurring run-rate in one small read, whatever the ledger's size.

fundraising/ledger/breakdown.py period_run_rate is the definition (and the full read, for closed months and the
debounced breakdown): per stream (monthly, yearly), its latest standing gift counts its amount (an uncounted
card fees cover left out, 0 when fully refunded) while in force. Kept in the transaction of every ledger change:
- RecurringStream, one row per (campaign, interval, stream key): its latest standing gift's paid_at, month,
  amount and subscription_ended_at; found by its unique index, so a write costs O(1);
- RecurringMonth, per (campaign, interval, month): the sum of those amounts of the streams not ended whose latest
  gift was paid that month. A new payment moves its stream's amount from its old month to the new one; a refund
  changes it; a reversal (or a key change, e.g. an erasure) recomputes that one stream from its own gifts; an end
  (payments/recording.py subscription_end_record) takes the stream out of the months.

The open month's run-rate (run_rate_now) = the monthly sums of this month and last + (the yearly sums of the
eleven previous months and this one + the yearly streams paid in the month a year back after the same instant a
year ago, an index range over part of one month) // 12, + the streams that have an end later than the cutoff
(ended streams are not in the sums; those ending after the cutoff are read one by one: only subscriptions
whose end is still ahead). fundraising/ledger/verify.py checks these rows against the ledger and repairs them;
tallies_rebuild rebuilds them.

A stream's latest gift is the latest by (paid_at, id), here and in the full read alike. Both take an end from
that gift's subscription_ended_at: the recording marks every gift of a subscription and a renewal copies its
first gift's, so a stream's gifts agree. Reading one stream again costs that stream's gifts for a subscription
(its index); for an offline standing order keyed by e-mail, the campaign's gifts without a subscription are
searched (no index on the e-mail: a reversal or an erasure, an owner's rare action, never a refresh)."""

import contextlib
import datetime
import uuid

from django.db import connection, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Cast

from .models import Donation, RecurringMonth, RecurringStream

INTERVALS = (Donation.Kind.MONTHLY, Donation.Kind.YEARLY)

MONTH_ADD = (
    "INSERT INTO {table} (campaign_id, interval, month, amount) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (campaign_id, interval, month) DO UPDATE SET amount = {table}.amount + EXCLUDED.amount"
)


def month_of(moment, tz):
    local = moment.astimezone(tz)
    return datetime.date(local.year, local.month, 1)


def months_back(day, count):
    index = day.year * 12 + day.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def gift_amount(amount, refunded, cover, counted):
    """What the run-rate counts of a stream's latest gift (breakdown._latest_by_stream)."""
    return amount - (0 if counted else cover) if refunded < amount else 0


def stream_of(donation):
    """(interval, key) of a recurring row (breakdown.stream_key), or None for a one-time gift."""
    if donation.kind not in INTERVALS:
        return None
    return donation.kind, donation.stripe_subscription_id or donation.donor_email or str(donation.pk)


def standing(donation):
    return donation.paid_at is not None and donation.reverses_id is None and not donation.reversed


def key_of(donation):
    """What a row's stream key is: "subscription", "email" or "gift" (breakdown.stream_key's order)."""
    return "subscription" if donation.stripe_subscription_id else "email" if donation.donor_email else "gift"


def key_match(key, of=None):
    """The ledger rows of a stream key. Told what the key is (`of`, key_of), the read is the stream's alone: a
    subscription's by its index, an e-mail's (offline standing orders) among the campaign's gifts without one,
    a gift's by its id; untold (the verification) it tries all three."""
    matches = {
        "subscription": Q(stripe_subscription_id=key),
        "email": Q(stripe_subscription_id="", donor_email=key),
    }
    try:
        matches["gift"] = Q(stripe_subscription_id="", donor_email="", pk=uuid.UUID(key))
    except ValueError:
        pass
    if of is not None:
        return matches.get(of, Q(pk__in=[]))
    match = Q(pk__in=[])
    for part in matches.values():
        match |= part
    return match


def month_add(*, campaign_id, interval, month, delta):
    if not delta:
        return
    table = connection.ops.quote_name(RecurringMonth._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(MONTH_ADD.format(table=table), [campaign_id, interval, month, delta])


def _in_months(state):
    """(month, amount) that a stream state adds to the month sums (an ended stream adds nothing)."""
    if state is None or state.ended_at is not None:
        return None
    return state.month, state.amount


def state_move(*, campaign_id, interval, key, old, new):
    """Replace a stream's stored state `old` (a RecurringStream read locked, or None) by `new` (field dict or
    None) and move the month sums by the difference. False when `old` was None and another transaction has
    inserted the stream's state meanwhile (nothing done)."""
    before, after = _in_months(old), None
    if new is None:
        if old is not None:
            RecurringStream.objects.filter(pk=old.pk).delete()
    elif old is None:
        if not _state_insert(campaign_id=campaign_id, interval=interval, key=key, new=new):
            return False  # a concurrent writer created this stream's state first: the caller reads it and retries
    else:
        RecurringStream.objects.filter(pk=old.pk).update(**new)
    if new is not None:
        after = _in_months(RecurringStream(**new))
    if before != after:
        if before is not None:
            month_add(campaign_id=campaign_id, interval=interval, month=before[0], delta=-before[1])
        if after is not None:
            month_add(campaign_id=campaign_id, interval=interval, month=after[0], delta=after[1])
    return True


STATE_INSERT = (
    "INSERT INTO {table} (campaign_id, interval, key, donation_id, paid_at, month, amount, ended_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (campaign_id, interval, key) DO NOTHING RETURNING id"
)


def _state_insert(*, campaign_id, interval, key, new):
    """Insert a stream's first state; False when one exists (two first writes of a stream never fail on the
    unique index: the second waits for the first's commit, then reads its row and applies itself over it)."""
    values = [campaign_id, interval, key, *(new[f] for f in ("donation_id", "paid_at", "month", "amount", "ended_at"))]
    fields = [RecurringStream._meta.get_field(f) for f in ("campaign", "interval", "key", "donation_id", "paid_at",
                                                            "month", "amount", "ended_at")]  # fmt: skip
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)]
    table = connection.ops.quote_name(RecurringStream._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(STATE_INSERT.format(table=table), params)
        return cursor.fetchone() is not None


def state_of(donation, tz):
    return {
        "donation_id": donation.pk,
        "paid_at": donation.paid_at,
        "month": month_of(donation.paid_at, tz),
        "amount": gift_amount(
            donation.amount, donation.amount_refunded, donation.fee_cover, donation.fee_cover_counted
        ),
        "ended_at": donation.subscription_ended_at,
    }


def stream_sync(*, campaign_id, interval, key, tz, of=None):
    """Recompute one stream's state from its own standing gifts (a reversal, an end, a key change): reads that
    stream's rows only, its state row locked first."""
    for _ in range(2):  # a second time only when a concurrent first write of the stream won the insert
        old = _state_locked(campaign_id, interval, key)
        latest = (
            Donation.objects.filter(key_match(key, of), campaign_id=campaign_id, kind=interval, paid_at__isnull=False)
            .filter(reverses__isnull=True, reversed=False)
            .order_by("-paid_at", "-pk")
            .first()
        )
        new = state_of(latest, tz) if latest else None
        if state_move(campaign_id=campaign_id, interval=interval, key=key, old=old, new=new):
            return


def _state_locked(campaign_id, interval, key):
    return (
        RecurringStream.objects.select_for_update().filter(campaign_id=campaign_id, interval=interval, key=key).first()
    )


def stream_follow(*, donation, loaded):
    """Call in the transaction that stored a ledger row (`loaded`: its contribution fields as they were, or
    None for a new row): the row's stream state follows it. A one-time gift costs nothing here."""
    before = Donation(pk=donation.pk, **loaded) if loaded else None
    was = stream_of(before) if before is not None else None
    now = stream_of(donation)
    if was is None and now is None:
        return
    tz = donation.campaign.tz
    if was is not None and was != now:
        stream_sync(campaign_id=donation.campaign_id, interval=was[0], key=was[1], tz=tz, of=key_of(before))
    if now is None:
        return
    interval, key = now
    for _ in range(2):  # a second time only when a concurrent first write of the stream won the insert
        old = _state_locked(donation.campaign_id, interval, key)
        if not standing(donation):  # unpaid, a reversal, or reversed
            if old is not None and old.donation_id == donation.pk:  # the latest gift stopped standing
                stream_sync(campaign_id=donation.campaign_id, interval=interval, key=key, tz=tz, of=key_of(donation))
            return
        # The latest by (paid_at, id): gifts paid at the same instant are ordered by id, as the full read does.
        if old is not None and (donation.paid_at, donation.pk) < (old.paid_at, old.donation_id):
            if old.donation_id == donation.pk:  # the latest gift moved earlier: another may be the latest now
                stream_sync(campaign_id=donation.campaign_id, interval=interval, key=key, tz=tz, of=key_of(donation))
            return  # an earlier gift of the stream changed: the run-rate counts the latest only
        if state_move(
            campaign_id=donation.campaign_id, interval=interval, key=key, old=old, new=state_of(donation, tz)
        ):
            return


def streams_ended(*, rows):
    """Call in the transaction of a bulk update of subscription_ended_at, after it, with the rows it changed:
    [(campaign_id, kind, stripe_subscription_id, donor_email, pk)]. Each stream's state is read again."""
    from fundraising.campaigns.models import Campaign

    streams = {
        (c, kind, sub or email or str(pk), "subscription" if sub else "email" if email else "gift")
        for c, kind, sub, email, pk in rows
        if kind in INTERVALS
    }
    tz_of = {c.pk: c.tz for c in Campaign.objects.filter(pk__in={s[0] for s in streams})}
    for campaign_id, interval, key, of in sorted(streams):
        stream_sync(campaign_id=campaign_id, interval=interval, key=key, tz=tz_of[campaign_id], of=of)


def run_rate_now(period, now):
    """The open month's run-rate (breakdown.period_run_rate's value for the month that holds `now`) from the
    running figures: one statement reading at most 14 month sums and the few streams named in the module's note."""
    from .breakdown import period_window, year_before  # breakdown reads the ledger; this module does not need it

    tz = period.campaign.tz
    _, end = period_window(period)
    cutoff = min(end, now)
    month = period.start.replace(day=1)
    last = months_back(month, 1)
    first_whole = months_back(month, 11)
    window_start = datetime.datetime.combine(last, datetime.time(), tzinfo=tz)
    whole_start = datetime.datetime.combine(first_whole, datetime.time(), tzinfo=tz)
    year_ago = year_before(cutoff, tz)
    monthly, yearly = Donation.Kind.MONTHLY, Donation.Kind.YEARLY
    months = RecurringMonth.objects.filter(campaign_id=period.campaign_id)
    mine = RecurringStream.objects.filter(campaign_id=period.campaign_id)
    counted = Cast(Value(None), DateTimeField())  # a row that counts as it is (a typed NULL: the union needs it)
    # One statement of four index ranges, each on its own index whatever the tables' statistics: the monthly
    # sums of this month and last, the yearly sums of the last twelve months (ledger_recurring_one_per_month),
    # the yearly streams paid in the part of the month a year back still in force (ledger_recurring_paid), and
    # the streams whose end is after the cutoff (ledger_recurring_ended: a condition on them alone, so no other
    # index fits; whether each is in force is decided below, on those few rows).
    parts = [
        months.filter(interval=monthly, month__gte=last, month__lte=month).annotate(at=counted),
        months.filter(interval=yearly, month__gte=first_whole, month__lte=month).annotate(at=counted),
        mine.filter(interval=yearly, paid_at__gt=year_ago, paid_at__lt=whole_start, ended_at__isnull=True).annotate(
            at=counted
        ),
        mine.filter(ended_at__gt=cutoff).annotate(at=F("paid_at")),
    ]
    first, *others = (part.values_list("interval", "amount", "at") for part in parts)
    totals = dict.fromkeys(INTERVALS, 0)
    for interval, amount, paid_at in first.union(*others, all=True):
        if paid_at is not None:  # a stream ending after the cutoff: in force as breakdown.period_run_rate says
            start = window_start if interval == monthly else year_ago
            if not (paid_at < end and (paid_at >= start if interval == monthly else paid_at > start)):
                continue
        totals[interval] += amount
    return totals[monthly] + totals[yearly] // 12


def streams_expected(campaign_ids, *, donation_model=Donation, tz_of):
    """{(campaign_id, interval, key): state dict} from the ledger: each stream's latest standing gift."""
    rows = (
        donation_model.objects.filter(campaign_id__in=campaign_ids, kind__in=INTERVALS, paid_at__isnull=False)
        .filter(reverses__isnull=True, reversed=False)
        .order_by("paid_at", "pk")
        .values_list(
            "campaign_id",
            "kind",
            "stripe_subscription_id",
            "donor_email",
            "pk",
            "paid_at",
            "amount",
            "amount_refunded",
            "fee_cover",
            "fee_cover_counted",
            "subscription_ended_at",
        )  # fmt: skip
    )
    latest = {}
    for campaign_id, kind, sub, email, pk, paid_at, amount, refunded, cover, counted, ended in rows.iterator(
        chunk_size=2000
    ):
        latest[campaign_id, kind, sub or email or str(pk)] = {
            "donation_id": pk,
            "paid_at": paid_at,
            "month": month_of(paid_at, tz_of[campaign_id]),
            "amount": gift_amount(amount, refunded, cover, counted),
            "ended_at": ended,
        }
    return latest


def months_expected(streams):
    months = {}
    for (campaign_id, interval, _), state in streams.items():
        if state["ended_at"] is None:
            slot = (campaign_id, interval, state["month"])
            months[slot] = months.get(slot, 0) + state["amount"]
    return months


def recurring_rebuild(campaign_ids, *, models=None):
    """Replace these campaigns' stream states and month sums with what the ledger says (a ledger at rest: a bulk
    load, an upgrade's migration, which passes its historical `models` (Campaign, Donation, Stream, Month))."""
    import zoneinfo

    if models is None:
        from fundraising.campaigns.models import Campaign

        models = (Campaign, Donation, RecurringStream, RecurringMonth)
    campaign_model, donation_model, stream_model, month_model = models
    campaign_ids = list(campaign_ids)
    tz_of = {
        pk: zoneinfo.ZoneInfo(name)
        for pk, name in campaign_model.objects.filter(pk__in=campaign_ids).values_list("pk", "time_zone")
    }
    streams = streams_expected(campaign_ids, donation_model=donation_model, tz_of=tz_of)
    stream_model.objects.filter(campaign_id__in=campaign_ids).delete()
    month_model.objects.filter(campaign_id__in=campaign_ids).delete()
    stream_model.objects.bulk_create(
        (stream_model(campaign_id=c, interval=i, key=k, **state) for (c, i, k), state in streams.items()),
        batch_size=2000,
    )
    month_model.objects.bulk_create(
        month_model(campaign_id=c, interval=i, month=m, amount=a) for (c, i, m), a in months_expected(streams).items()
    )


def recurring_differences(campaign_ids, *, snapshot=contextlib.nullcontext):
    """Check these campaigns' run-rate figures against the ledger and repair them; the repairs, described
    ([(campaign_id, what)]). Call outside a transaction: three of its own.
    1. Each stream's state against the ledger's latest standing gift; a wrong one is read again (stream_sync,
       under its lock: right whatever was written meanwhile).
    2. The month sums against the states, both read in one `snapshot` (verify.consistent_reads: REPEATABLE
       READ), so each difference is exact although gifts keep arriving; 3. each added as a correction (a
       write after the snapshot moved a state and its month by the same amount)."""
    from fundraising.campaigns.models import Campaign

    campaigns = {c.pk: c for c in Campaign.objects.filter(pk__in=campaign_ids)}
    tz_of = {pk: c.tz for pk, c in campaigns.items()}
    fields = ("donation_id", "paid_at", "month", "amount", "ended_at")

    def states():
        return {
            (s.campaign_id, s.interval, s.key): {f: getattr(s, f) for f in fields}
            for s in RecurringStream.objects.filter(campaign_id__in=list(campaigns))
        }

    found = []
    with transaction.atomic():
        expected = streams_expected(list(campaigns), tz_of=tz_of)
        stored = states()
        for slot in sorted(set(expected) | set(stored)):
            if expected.get(slot) != stored.get(slot):
                campaign_id, interval, key = slot
                stream_sync(campaign_id=campaign_id, interval=interval, key=key, tz=tz_of[campaign_id])
                found.append((campaign_id, f"{interval} stream {key!r} stored {stored.get(slot)}"))
    with snapshot():
        want = months_expected(states())
        have = {
            (m.campaign_id, m.interval, m.month): m.amount
            for m in RecurringMonth.objects.filter(campaign_id__in=list(campaigns))
        }
    with transaction.atomic():
        for slot in sorted(set(want) | set(have)):
            delta = want.get(slot, 0) - have.get(slot, 0)
            if delta:
                month_add(campaign_id=slot[0], interval=slot[1], month=slot[2], delta=delta)
                what = f"{slot[1]} month {slot[2]:%Y-%m} sums {have.get(slot, 0)}, its streams {want.get(slot, 0)}"
                found.append((slot[0], what))
    return found
