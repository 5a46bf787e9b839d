"""Widget snapshots: the JSON document of docs/widgets.md of a campaign's current period, built from the
period's stored totals (never by aggregating the ledger)."""

import datetime
from typing import TypedDict

from django.conf import settings
from django.utils import timezone

from fundraising.campaigns.models import Campaign, GoalKind, Period
from fundraising.campaigns.services import period_bounds, period_for
from fundraising.core import money

from .wall import Wall


class SnapshotPeriod(TypedDict):
    start: str  # ISO date, first day of the month in the campaign's time zone
    end: str  # ISO date, last day of that month
    label: str  # "JUNE 2023", in the snapshot's locale


class SnapshotMilestone(TypedDict):
    amount: int  # in the goal's unit: minor units, or supporters
    label: str  # the amount formatted, "2,500 $" or "25"
    name: str  # the owner's label, "Servers paid"
    reached: bool
    at: float  # where the marker sits on the bar, percent of its width


class SnapshotFormatted(TypedDict):
    raised: str
    target: str | None  # None when the goal is not an amount


class SnapshotGoalFormatted(TypedDict):
    current: str
    target: str


class SnapshotPreset(TypedDict):
    amount: int  # minor units, one of the donation page's preset amounts
    label: str  # the amount formatted, "25 $"


class SnapshotGoal(TypedDict):
    kind: str  # "amount", "supporters" or "recurring" (campaigns.models.GoalKind)
    current: int  # where the month stands, in the goal's unit
    target: int  # the month's target, in the goal's unit
    formatted: SnapshotGoalFormatted


class Snapshot(TypedDict):
    """The shape every widget format is drawn from, and the JSON document (docs/widgets.md) itself."""

    campaign: str  # slug
    title: str
    url: str  # the donation page
    currency: str  # ISO 4217, lower case
    period: SnapshotPeriod
    raised: int  # minor units, net of refunds and disputes
    target: int | None  # minor units; None when the goal is not an amount
    percent: float  # goal current / goal target, one decimal, may exceed 100
    donors: int
    goal: SnapshotGoal
    milestones: list[SnapshotMilestone]
    formatted: SnapshotFormatted
    presets: list[SnapshotPreset]  # what widgets with amounts=1 offer, linking to url?amount=&kind=
    updated_at: str  # ISO 8601 UTC, when the period's totals were last computed
    fill: float  # where the fill ends, percent of the bar's width (0-100)
    locale: str  # e.g. en_US: amounts, month and words
    amount_pattern: str  # Babel pattern for amounts, "" for the locale's own
    period_closes_at: str  # ISO 8601 UTC, local midnight after the period's last day


class SnapshotEntry(TypedDict):
    """What the cache and the files hold per campaign: the snapshot and each format's default bytes."""

    snapshot: Snapshot
    version: str  # the JSON rendition's ETag; variants are cached under it
    renditions: dict[str, tuple[bytes, str]]  # format -> (body, ETag)
    ends_at: float | None  # Unix time the snapshot's month ends; a read after it rolls over
    wall: Wall | None  # the supporters wall (renditions then has "supporters"); None when not opted in


def snapshot_build(*, campaign_id: int) -> Snapshot:
    return snapshot_of_campaign(Campaign.objects.get(pk=campaign_id))


def snapshot_of_campaign(campaign: Campaign) -> Snapshot:
    period = period_for(campaign=campaign)
    period.campaign = campaign  # the same row: reading it again would cost a query
    return snapshot_of(campaign=campaign, period=period)


def current_periods(*, campaigns: list[Campaign], known=()) -> dict[int, Period]:
    """{campaign id: its current period} for many campaigns in one query (period_for for each one that has
    none yet, which creates it); each period's `campaign` is set, so building its snapshot reads nothing more.
    Periods in `known` (just read, e.g. recomputed by the refresh) are used as they are when they are current:
    no query when every campaign's is among them."""
    now = timezone.now()
    starts = {campaign.pk: period_bounds(campaign=campaign, when=now)[0] for campaign in campaigns}
    found = {(period.campaign_id, period.start): period for period in known}
    missing = {pk: start for pk, start in starts.items() if (pk, start) not in found}
    if missing:
        found |= {
            (period.campaign_id, period.start): period
            for period in Period.objects.filter(campaign_id__in=missing, start__in=set(missing.values()))
        }
    periods = {}
    for campaign in campaigns:
        period = found.get((campaign.pk, starts[campaign.pk])) or period_for(campaign=campaign, when=now)
        period.campaign = campaign
        periods[campaign.pk] = period
    return periods


def snapshot_of(*, campaign: Campaign, period: Period) -> Snapshot:
    """The snapshot of `campaign` showing `period` (its current one), from the period's stored totals."""
    current, kind = period.goal_current, period.goal_kind
    markers = [{"amount": 0, "label": ""}, *period.milestones]
    if period.target not in [m["amount"] for m in markers]:
        markers.append({"amount": period.target, "label": ""})
    # The bar's right end: the target, or a milestone set beyond it (a stretch goal).
    scale = max(m["amount"] for m in markers) or 1
    is_amount = kind == GoalKind.AMOUNT
    return {
        "campaign": campaign.slug,
        "title": campaign.title,
        "url": f"{settings.SITE_URL}/c/{campaign.slug}/",
        "currency": campaign.currency,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label},
        "raised": period.raised,
        # Money fields stay money: with a goal in supporters or recurring money there is no amount target.
        "target": period.target if is_amount else None,
        # Progress, markers and fill are in the goal's unit (the same as before for an amount goal).
        "percent": round(current * 100 / period.target, 1) if period.target else 0.0,
        "donors": period.donors,
        "goal": {
            "kind": kind,
            "current": current,
            "target": period.target,
            "formatted": {"current": period.format_goal(current), "target": period.format_goal(period.target)},
        },
        "milestones": [
            {
                "amount": m["amount"],
                "label": period.format_goal(m["amount"]),
                "name": m["label"],
                "reached": current >= m["amount"],
                "at": round(m["amount"] * 100 / scale, 2),
            }
            for m in sorted(markers, key=lambda m: m["amount"])
        ],
        "formatted": {
            "raised": campaign.format(period.raised),
            "target": campaign.format(period.target) if is_amount else None,
        },
        # The amounts the donation page offers; a widget with amounts=1 links each to /c/<slug>/?amount=
        "presets": [{"amount": amount, "label": campaign.format(amount)} for amount in campaign.preset_amounts],
        "updated_at": (period.recomputed_at or timezone.now()).strftime("%Y-%m-%dT%H:%M:%SZ"),
        # Extras for renderers: where the fill ends on the bar (percent of its width), and how to
        # format amounts again in another locale without touching the database.
        "fill": round(min(max(current, 0), scale) * 100 / scale, 2),
        "locale": campaign.locale,
        "amount_pattern": campaign.amount_pattern,
        # When the campaign's local month ends: a read after it rolls the widget over.
        "period_closes_at": period_closes_at(campaign, period),
    }


def period_closes_at(campaign, period):
    """Local midnight after the period's last day, as a UTC instant ("2026-12-01T05:00:00Z")."""
    local = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time(), campaign.tz)
    return local.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def snapshot_goal(snapshot: Snapshot) -> SnapshotGoal:
    """The snapshot's goal; a snapshot stored before goal kinds existed had an amount goal."""
    return snapshot.get("goal") or {
        "kind": GoalKind.AMOUNT,
        "current": snapshot["raised"],
        "target": snapshot["target"],
        "formatted": {"current": snapshot["formatted"]["raised"], "target": snapshot["formatted"]["target"]},
    }


def snapshot_localize(*, snapshot: Snapshot, locale: str) -> Snapshot:
    """The same snapshot with amounts, counts and the month label formatted for `locale` (no database)."""
    if not locale or locale == snapshot["locale"]:
        return snapshot
    goal = snapshot_goal(snapshot)

    def fmt(amount):
        return money.format_money(amount, snapshot["currency"], locale, snapshot["amount_pattern"])

    def fmt_goal(value):
        return money.format_count(value, locale) if goal["kind"] == GoalKind.SUPPORTERS else fmt(value)

    start = timezone.datetime.fromisoformat(snapshot["period"]["start"]).date()
    target = snapshot["target"]
    return {
        **snapshot,
        "period": {**snapshot["period"], "label": money.format_month(start, locale)},
        "milestones": [{**m, "label": fmt_goal(m["amount"])} for m in snapshot["milestones"]],
        "formatted": {"raised": fmt(snapshot["raised"]), "target": None if target is None else fmt(target)},
        "presets": [{**p, "label": fmt(p["amount"])} for p in snapshot.get("presets", [])],
        "goal": {
            **goal,
            "formatted": {"current": fmt_goal(goal["current"]), "target": fmt_goal(goal["target"])},
        },
        "locale": locale,
        # The donation page speaks the widget's language too (and tells Stripe's checkout to).
        "url": f"{snapshot['url']}?locale={locale}",
    }
