"""Two years of made-up but plausible history for the demo campaign, so the dashboard has something to say:
monthly supporters who join and leave, one-time gifts (more in December), a few refunds and a lost dispute,
bank transfers now and then, a target raised after the first year, milestones crossed on the right days.

Deterministic (a seeded random generator, ids derived from names), so seeding again adds nothing, and
fast (one bulk insert, then one recompute per month)."""

import datetime
import random
import uuid

from django.utils import timezone

from fundraising.campaigns.milestones import crossings_journal
from fundraising.campaigns.models import MilestoneCrossing, Period
from fundraising.campaigns.services import period_for
from fundraising.journal import kinds
from fundraising.journal.services import Happening, entries_write
from fundraising.ledger.models import Donation
from fundraising.ledger.rollover import periods_closed_journal
from fundraising.ledger.services import donation_net, donation_status_derive, period_breakdown_store, period_recompute
from fundraising.ledger.verify import tallies_rebuild
from fundraising.payments.models import SubscriptionState

NAMESPACE = uuid.UUID("0b6b7f0e-4d0a-4a43-8f0e-3c1d2f6a9b21")
MONTHS = 24
SUBSCRIPTION_AMOUNTS = [500, 1000, 1000, 2000, 2500, 2500, 5000]
ONE_TIME_AMOUNTS = [1000, 2500, 2500, 5000, 5000, 10000, 10000, 20000, 50000]
# (target, milestones) of the first year; the second year has the campaign's own (5,000 $ and 2,500 $).
FIRST_YEAR = (300000, [{"amount": 150000, "label": "Servers paid"}, {"amount": 300000, "label": "Goal"}])


def month_starts(today, count):
    starts, day = [], today.replace(day=1)
    for _ in range(count):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
        starts.append(day)
    return starts[::-1]


def moment(campaign, start, day, rng):
    last = ((start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)).day
    local = datetime.datetime.combine(
        start.replace(day=min(day, last)), datetime.time(rng.randint(7, 22), rng.randint(0, 59)), tzinfo=campaign.tz
    )
    return local


def gifts_plan(campaign, starts, rng):
    """Every history gift as keyword arguments for Donation, in paid order per month."""
    subscriptions, rows, next_sub = {}, [], 0
    for index, start in enumerate(starts):
        for _ in range(12 if index == 0 else rng.randint(3, 8)):
            subscriptions[next_sub] = {"amount": rng.choice(SUBSCRIPTION_AMOUNTS), "day": rng.randint(1, 28)}
            next_sub += 1
        month = []
        for number, sub in list(subscriptions.items()):
            if index and rng.random() < 0.05:  # cancelled before this month's payment
                sub["ended"] = moment(campaign, start, max(sub["day"] - 1, 1), rng)
                del subscriptions[number]
                continue
            month.append(
                {
                    "name": f"sub-{number}-{start:%Y%m}",
                    "amount": sub["amount"],
                    "kind": Donation.Kind.MONTHLY,
                    "donor_email": f"monthly{number}@example.com",
                    "stripe_subscription_id": f"sub_demo_{number}",
                    "paid_at": moment(campaign, start, sub["day"], rng),
                    "sub": sub,
                }
            )
        december = 2 if start.month == 12 else 1
        for number in range(rng.randint(18, 30) * december):
            month.append(
                {
                    "name": f"gift-{start:%Y%m}-{number}",
                    "amount": rng.choice(ONE_TIME_AMOUNTS),
                    "kind": Donation.Kind.ONE_TIME,
                    "donor_email": f"friend{rng.randint(1, 400)}@example.com",
                    "paid_at": moment(campaign, start, rng.randint(1, 31), rng),
                }
            )
        if index % 3 == 2:
            month.append(
                {
                    "name": f"transfer-{start:%Y%m}",
                    "amount": rng.choice([20000, 40000, 75000]),
                    "kind": Donation.Kind.ONE_TIME,
                    "source": Donation.Source.OFFLINE,
                    "method": Donation.Method.BANK_TRANSFER,
                    "public_name": "Local hackerspace",
                    "note": "Quarterly transfer",
                    "paid_at": moment(campaign, start, 15, rng).replace(hour=12, minute=0),
                }
            )
        for gift in month:
            if gift.get("source") != Donation.Source.OFFLINE:
                roll = rng.random()
                if roll < 0.02:
                    gift["amount_refunded"] = gift["amount"]
                elif roll < 0.025:
                    gift.update(amount_disputed=gift["amount"], dispute_status=Donation.Dispute.LOST)
        rows.append((start, sorted(month, key=lambda g: g["paid_at"])))
    return rows


def donation_of(campaign, period, gift):
    sub = gift.pop("sub", None)
    name = gift.pop("name")
    donation = Donation(
        id=uuid.uuid5(NAMESPACE, name),
        campaign=campaign,
        period=period,
        currency=campaign.currency,
        public_name=gift.pop("public_name", rng_name(name)),
        subscription_ended_at=sub.get("ended") if sub else None,
        **gift,
    )
    donation.anonymous = not donation.public_name
    donation.status = donation_status_derive(donation)
    return donation


def rng_name(name):
    # Not names the current month's demo gifts or the demo checkout use (Ada, Grace, Hedy): tests look them up.
    names = ["Maya", "Jun", "Priya", "Tomás", "", "", "Noor", "Sven", "", "Keiko"]
    return names[uuid.uuid5(NAMESPACE, name).int % len(names)]


def history_seed(*, campaign, now=None):
    """Seed the MONTHS closed months before the current one; returns how many gifts were new."""
    today = timezone.localtime(now or timezone.now(), campaign.tz).date()
    starts = month_starts(today, MONTHS)
    plan = gifts_plan(campaign, starts, random.Random(f"{campaign.slug}-history"))
    donations, periods = [], []
    for index, (start, gifts) in enumerate(plan):
        period = period_for(campaign=campaign, when=datetime.datetime.combine(start, datetime.time(12), campaign.tz))
        if index < MONTHS - 12:
            Period.objects.filter(pk=period.pk, closed_at__isnull=True).update(
                target=FIRST_YEAR[0], milestones=FIRST_YEAR[1]
            )
        periods.append(period)
        donations.extend(donation_of(campaign, period, dict(gift)) for gift in gifts)
    before = Donation.objects.filter(campaign=campaign).count()
    Donation.objects.bulk_create(donations, batch_size=1000, ignore_conflicts=True)
    # Rows loaded in bulk skip the ledger's write, so their months' running figures are summed once, and
    # their journal entries are written as history: recorded, with nobody to notify.
    tallies_rebuild(period_ids=[period.pk for period in periods])
    history_journal(campaign=campaign, donations=donations)
    subscriptions_seed(campaign=campaign, donations=donations, now=now or timezone.now())
    # Subscriptions end on every row of theirs, as the Stripe handlers do.
    for period in periods:
        end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time(0, 5), campaign.tz)
        if Period.objects.filter(pk=period.pk, closed_at__isnull=True).update(closed_at=end):
            periods_closed_journal(
                period_ids=[period.pk],
                organization_id=campaign.organization_id,
                campaign_id=campaign.pk,
                dispatched=True,
            )
        crossings_seed(period_recompute(period_id=period.pk), [d for d in donations if d.period_id == period.pk])
        period_breakdown_store(period_id=period.pk)
    return Donation.objects.filter(campaign=campaign).count() - before


def crossings_seed(period, donations):
    """Milestones crossed, dated when the running total reached them; marked notified (history)."""
    thresholds = sorted(({period.target: "Target"} | {m["amount"]: m["label"] for m in period.milestones}).items())
    total, reached = 0, {}
    for donation in sorted(donations, key=lambda d: d.paid_at):
        total += donation_net(donation)
        for amount, label in thresholds:
            if total >= amount and amount not in reached:
                reached[amount] = (label, donation.paid_at)
    created = []
    for amount, (label, when) in reached.items():
        if amount > period.raised:  # taken back later by refunds or disputes
            continue
        crossing, new = MilestoneCrossing.objects.get_or_create(period=period, amount=amount, defaults={"label": label})
        MilestoneCrossing.objects.filter(pk=crossing.pk).update(crossed_at=when, notified_at=when)
        created += [crossing.pk] if new else []
    crossings_journal(period=period, crossing_ids=created, dispatched=True)


def history_journal(*, campaign, donations):
    """donation.counted for each history gift (keyed, so seeding again writes nothing), already dispatched."""
    entries_write(
        (
            Happening(
                kind=kinds.DONATION_COUNTED,
                key=f"donation.counted:{donation.pk}",
                organization_id=campaign.organization_id,
                campaign_id=campaign.pk,
                period_id=donation.period_id,
                donation_id=donation.pk,
                data={"before": Donation.Status.PENDING, "after": donation.status, "history": True},
            )
            for donation in donations
        ),
        dispatched=True,
    )


# Active monthly gifts shown as at risk (a renewal declined), so the owners' "at risk" filter has something.
AT_RISK = 2


def subscriptions_seed(*, campaign, donations, now):
    """What Stripe would have told us of each history subscription (the Monthly gifts page lists these):
    its amount, whether it stopped, when it renews; the first AT_RISK active ones had a renewal declined."""
    latest = {}
    for donation in donations:
        if donation.stripe_subscription_id:
            latest[donation.stripe_subscription_id] = max(
                latest.get(donation.stripe_subscription_id, donation), donation, key=lambda d: d.paid_at
            )
    states, at_risk = [], 0
    for subscription_id, last in sorted(latest.items(), key=lambda item: int(item[0].rsplit("_", 1)[1])):
        ended = last.subscription_ended_at
        risky = ended is None and at_risk < AT_RISK
        at_risk += int(risky)
        states.append(
            SubscriptionState(
                subscription_id=subscription_id,
                customer_id=subscription_id.replace("sub_", "cus_"),
                campaign=campaign,
                item_id=subscription_id.replace("sub_", "si_"),  # what a change of amount names
                product_id=subscription_id.replace("sub_", "prod_"),
                status="canceled" if ended else "past_due" if risky else "active",
                amount=last.amount,
                currency=campaign.currency,
                current_period_end=last.paid_at + datetime.timedelta(days=31),
                canceled_at=ended,
                payment_failed_at=now - datetime.timedelta(days=2) if risky else None,
                stripe_updated_at=now,
            )
        )
    SubscriptionState.objects.bulk_create(states, batch_size=500, ignore_conflicts=True)
