"""A campaign's dashboard: the last 12 or 24 months against their targets, the recurring run-rate, milestone
crossings, and this month's pace. Read from the stored per-period figures (period_recompute fills them),
in two queries whatever the size of the ledger: the periods, and their crossings."""

import dataclasses
import datetime

from babel.dates import format_date
from django.utils import timezone

from .models import GoalKind, MilestoneCrossing, Period

MONTHS_CHOICES = (12, 24)
CHART = {"width": 760, "height": 240, "left": 64, "right": 12, "top": 16, "bottom": 34}


@dataclasses.dataclass(frozen=True)
class Month:
    period: Period
    short: str

    def __getattr__(self, name):  # the stored figures: raised, donors, recurring, ...
        return getattr(self.period, name)

    @property
    def current(self):
        return self.period.goal_current

    @property
    def percent(self):
        return round(self.current * 100 / self.period.target) if self.period.target else 0

    @property
    def met(self):
        return self.current >= self.period.target

    @property
    def shown(self):
        """The row's figures formatted for people (money in the campaign's format, counts as numbers)."""
        period, money = self.period, self.period.campaign.format
        figures = ("raised", "one_time_raised", "monthly_raised", "yearly_raised", "offline_raised", "recurring",
                   "refunded", "disputed")  # fmt: skip
        return {
            "current": period.format_goal(self.current),
            "target": period.format_goal(period.target),
            **{name: money(getattr(period, name)) for name in figures},
            **self.fee_covers_shown,
        }

    @property
    def fee_covers_shown(self):
        """Cover the fees: the month's covers, and what was raised without and with them (exact whatever the
        campaign's choice was when each gift was paid: raised holds exactly the counted covers)."""
        period, money = self.period, self.period.campaign.format
        return {
            "fee_covers": money(period.fee_covers),
            "raised_without_covers": money(period.raised - period.fee_covers_counted),
            "raised_with_covers": money(period.raised + period.fee_covers - period.fee_covers_counted),
        }


@dataclasses.dataclass(frozen=True)
class Pace:
    """This month so far: where it stands, and whether the days left are enough at the pace so far."""

    current: int
    target: int
    days_total: int
    days_elapsed: int
    projected: int
    needed_per_day: int

    @property
    def days_left(self):
        return self.days_total - self.days_elapsed

    @property
    def on_track(self):
        return self.projected >= self.target


@dataclasses.dataclass(frozen=True)
class Dashboard:
    campaign: object
    months: list
    crossings: list
    pace: Pace | None
    chart: dict

    @property
    def this_month(self):
        return self.months[-1] if self.months else None

    @property
    def goal_column(self):
        """Whether the table needs a Goal column: for an amount goal it would repeat Raised."""
        return any(month.goal_kind != GoalKind.AMOUNT for month in self.months)

    @property
    def previous(self):
        return self.months[-2] if len(self.months) > 1 else None

    @property
    def yearly(self):
        """Whether yearly gifts play a part (offered, or paid in a month shown): the run-rate then says that it
        counts each as a twelfth, and the table gets a Yearly column."""
        return self.campaign.yearly_gifts or any(month.period.yearly_raised for month in self.months)

    @property
    def shown(self):
        """Headline figures formatted: this month against the previous one, the run-rate, the pace."""
        now, before, fmt = self.this_month, self.previous, self.campaign.format_goal
        kind = now.goal_kind
        shown = {
            "current": fmt(now.current, kind),
            "target": fmt(now.target, kind),
            "run_rate": self.campaign.format(now.recurring),
            "change": None,
            "run_rate_change": None,
        }
        if before is not None:
            shown["change"] = signed(now.current - before.current, lambda v: fmt(v, kind))
            shown["run_rate_change"] = signed(now.recurring - before.recurring, self.campaign.format)
        if self.pace is not None:
            shown["projected"] = fmt(self.pace.projected, kind)
            shown["needed_per_day"] = fmt(self.pace.needed_per_day, kind)
        return shown

    @property
    def timeline(self):
        """Milestone crossings, newest first."""
        return [
            {
                "when": c.crossed_at,
                "month": c.period.label,
                "amount": c.period.format_goal(c.amount),
                "label": c.label,
                "is_target": c.amount == c.period.target,
            }
            for c in reversed(self.crossings)
        ]


def signed(value, fmt):
    return ("+" if value > 0 else "−" if value < 0 else "±") + fmt(abs(value))


def month_starts(today, count):
    """The first days of the `count` months ending with today's, oldest first."""
    starts, day = [], today.replace(day=1)
    for _ in range(count):
        starts.append(day)
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return starts[::-1]


def pace_of(period, today):
    """Linear pace for an amount or supporters goal; a recurring total is already a monthly rate."""
    if not period.start <= today <= period.end:
        return None
    days_total = (period.end - period.start).days + 1
    elapsed = (today - period.start).days + 1
    current = period.goal_current
    projected = current if period.goal_kind == GoalKind.RECURRING else current * days_total // elapsed
    left = days_total - elapsed
    missing = max(period.target - current, 0)
    needed = -(-missing // left) if left else missing
    return Pace(current, period.target, days_total, elapsed, projected, needed)


def nice_ceiling(value):
    """The smallest round number at or above `value` whose quarters are round too: 0, 2,000 $, 4,000 $ ..."""
    power = 1
    while True:
        for step in (1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8):
            if step * power >= value:
                return int(step * power)
        power *= 10


def chart_of(months, campaign):
    """Bar geometry of the SVG: each month's value and a target tick, on one scale from 0."""
    box = CHART
    inner_w = box["width"] - box["left"] - box["right"]
    inner_h = box["height"] - box["top"] - box["bottom"]
    top = nice_ceiling(max([m.current for m in months] + [m.target for m in months] + [1]))
    slot = inner_w / max(len(months), 1)
    base = box["top"] + inner_h

    def y(value):
        return round(base - inner_h * max(value, 0) / top, 1)

    bars = []
    for index, month in enumerate(months):
        x = box["left"] + slot * index
        bars.append(
            {
                "x": round(x + slot * 0.15, 1),
                "w": round(slot * 0.7, 1),
                "y": y(month.current),
                "h": round(base - y(month.current), 1),
                "target_y": y(month.target),
                "met": month.met,
                "label": month.short if index % max(len(months) // 8, 1) == 0 or index == len(months) - 1 else "",
                "cx": round(x + slot / 2, 1),
                "title": f"{month.period.label}: {campaign.format_goal(month.current, month.goal_kind)} "
                f"of {campaign.format_goal(month.target, month.goal_kind)}",
            }
        )
    ticks = (
        [
            {"y": y(top * share / 4), "label": campaign.format_goal(int(top * share / 4), months[-1].goal_kind)}
            for share in range(5)
        ]
        if months
        else []
    )
    return {**box, "base": base, "bars": bars, "ticks": ticks, "inner_w": inner_w}


def campaign_dashboard(*, campaign, months=24, now=None):
    """Everything the dashboard shows, from `months` stored periods and their crossings (two queries)."""
    today = timezone.localtime(now or timezone.now(), campaign.tz).date()
    starts = month_starts(today, months)
    periods = list(Period.objects.filter(campaign=campaign, start__gte=starts[0], start__lte=starts[-1]))
    by_start = {p.start: p for p in periods}
    rows = []
    for start in starts:
        period = by_start.get(start)
        if period is None:  # a month without a period had no gifts and no rollover: show it empty
            end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            period = Period(
                campaign=campaign, start=start, end=end, goal_kind=campaign.goal_kind, target=campaign.monthly_target
            )
        period.campaign = campaign  # no query per row for labels and formats
        rows.append(Month(period, format_date(start, "MMM yy", locale=campaign.locale)))
    crossings = list(
        MilestoneCrossing.objects.filter(period__in=[p.pk for p in periods])
        .select_related("period")
        .order_by("crossed_at", "period__start", "amount")
    )
    for crossing in crossings:
        crossing.period.campaign = campaign
    return Dashboard(
        campaign=campaign,
        months=rows,
        crossings=crossings,
        pace=pace_of(rows[-1].period, today),
        chart=chart_of(rows, campaign),
    )
