"""fundraising/campaigns/dashboard.py on stored periods written by hand (no ledger): each row's figures and
percentages, the headline's changes and pace, the window of months in the campaign's time zone, the empty months,
the crossings of this campaign's months only, and the chart's geometry."""

import datetime

import pytest
import time_machine

from fundraising.campaigns.dashboard import Month, campaign_dashboard, chart_of, month_starts, nice_ceiling, pace_of
from fundraising.campaigns.models import MilestoneCrossing, Period
from tests.factories import CampaignFactory

NOW = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)


def month(campaign, year, number, **figures):
    start = datetime.date(year, number, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    figures.setdefault("target", 40000)
    return Period.objects.create(campaign=campaign, start=start, end=end, **figures)


def board_of(campaign, months=12, now=NOW):
    with time_machine.travel(now, tick=False):
        return campaign_dashboard(campaign=campaign, months=months)


def test_a_row_shows_its_stored_figures_formatted(campaign):
    month(
        campaign, 2026, 11, raised=29900, one_time_raised=10000, monthly_raised=15000, yearly_raised=2900,
        offline_raised=2000, recurring=7000, refunded=1000, disputed=2000, fee_covers=600, fee_covers_counted=400,
    )  # fmt: skip
    row = board_of(campaign).this_month
    assert row.shown == {
        "current": "299 $",
        "target": "400 $",
        "raised": "299 $",
        "one_time_raised": "100 $",
        "monthly_raised": "150 $",
        "yearly_raised": "29 $",
        "offline_raised": "20 $",
        "recurring": "70 $",
        "refunded": "10 $",
        "disputed": "20 $",
        "fee_covers": "6 $",
        "raised_without_covers": "295 $",
        "raised_with_covers": "301 $",
    }
    assert (row.current, row.percent, row.met) == (29900, 75, False)  # 74.75 % rounds to 75


def test_a_row_meets_its_target_exactly_at_it(campaign):
    month(campaign, 2026, 10, raised=40000)
    month(campaign, 2026, 11, raised=39999)
    october, november = board_of(campaign).months[-2:]
    assert (october.percent, october.met) == (100, True)
    assert (november.percent, november.met) == (100, False)  # 99.9975 % shows as 100, yet short


def test_a_month_without_a_target_shows_0_percent(campaign):
    month(campaign, 2026, 11, raised=5000, target=0)
    assert board_of(campaign).this_month.percent == 0


def test_the_headline_compares_this_month_with_the_previous_one(campaign):
    month(campaign, 2026, 10, raised=30000, recurring=5000)
    month(campaign, 2026, 11, raised=20000, recurring=6000)
    shown = board_of(campaign).shown
    assert shown == {
        "current": "200 $",
        "target": "400 $",
        "run_rate": "60 $",
        "change": "−100 $",
        "run_rate_change": "+10 $",
        "projected": "300 $",  # 200 $ in 20 of 30 days
        "needed_per_day": "20 $",  # 200 $ missing over the 10 days left
    }


def test_an_unchanged_month_says_so(campaign):
    month(campaign, 2026, 10, raised=20000, recurring=5000)
    month(campaign, 2026, 11, raised=20000, recurring=5000)
    shown = board_of(campaign).shown
    assert (shown["change"], shown["run_rate_change"]) == ("±0 $", "±0 $")


def test_a_single_month_has_no_previous_one(campaign):
    month(campaign, 2026, 11, raised=20000)
    board = board_of(campaign, months=12)
    assert board.previous is board.months[-2]
    single = board_of(campaign, months=1)
    assert [m.period.start for m in single.months] == [datetime.date(2026, 11, 1)]
    assert single.previous is None
    assert (single.shown["change"], single.shown["run_rate_change"]) == (None, None)


def test_the_goal_column_and_the_yearly_column(organization):
    amount = CampaignFactory(organization=organization, slug="amount")
    month(amount, 2026, 11, raised=100)
    board = board_of(amount)
    assert (board.goal_column, board.yearly) == (False, False)
    month(amount, 2026, 3, yearly_raised=12000)  # a yearly gift paid in a month shown
    assert board_of(amount).yearly is True
    offered = CampaignFactory(organization=organization, slug="offered", yearly_gifts=True)
    assert board_of(offered).yearly is True
    people = CampaignFactory(organization=organization, slug="people", goal_kind="supporters", monthly_target=50)
    month(people, 2026, 11, goal_kind="amount")
    assert board_of(people).goal_column is True  # the months before November follow the campaign: supporters


def test_the_months_end_with_todays_in_the_campaigns_time_zone(organization):
    paris = CampaignFactory(organization=organization, slug="paris", time_zone="Europe/Paris", locale="fr_FR")
    midnight = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)  # 1 December, 00:30 in Paris
    board = board_of(paris, months=12, now=midnight)
    assert board.months[-1].period.start == datetime.date(2026, 12, 1)
    assert board.months[0].period.start == datetime.date(2026, 1, 1)
    assert board.months[-1].short == "déc. 26"
    assert (board.pace.days_total, board.pace.days_elapsed) == (31, 1)


def test_an_empty_month_follows_the_campaign(organization):
    people = CampaignFactory(organization=organization, slug="people", goal_kind="supporters", monthly_target=50)
    board = board_of(people, months=12)
    february = next(m for m in board.months if m.period.start == datetime.date(2026, 2, 1))
    assert (february.period.end, february.goal_kind, february.target, february.raised) == (
        datetime.date(2026, 2, 28), "supporters", 50, 0,
    )  # fmt: skip
    assert february.period.pk is None and february.period.campaign == people
    assert [m.short for m in board.months] == [
        "Dec 25", "Jan 26", "Feb 26", "Mar 26", "Apr 26", "May 26", "Jun 26", "Jul 26", "Aug 26", "Sep 26",
        "Oct 26", "Nov 26",
    ]  # fmt: skip


def test_it_reads_the_months_shown_and_their_crossings_only(campaign, organization):
    before = month(campaign, 2025, 11, raised=99900)  # 13 months ago
    first = month(campaign, 2025, 12, raised=1000)
    last = month(campaign, 2026, 11, raised=40000)
    after = month(campaign, 2026, 12, raised=77700)  # typed ahead
    other = CampaignFactory(organization=organization, slug="other")
    theirs = month(other, 2026, 11, raised=88800)
    crossings = {}
    for period, amount, at in [
        (before, 1000, datetime.datetime(2025, 11, 3, tzinfo=datetime.UTC)),
        (theirs, 1000, datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)),
        (last, 40000, datetime.datetime(2026, 11, 9, tzinfo=datetime.UTC)),
        (last, 10000, datetime.datetime(2026, 11, 9, tzinfo=datetime.UTC)),  # the same moment: smaller first
        (first, 50000, datetime.datetime(2026, 11, 9, tzinfo=datetime.UTC)),  # the same moment: older month first
        (first, 1000, datetime.datetime(2025, 12, 20, tzinfo=datetime.UTC)),
        (after, 1000, datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC)),
    ]:
        crossing = MilestoneCrossing.objects.create(period=period, amount=amount, label=f"L{amount}")
        MilestoneCrossing.objects.filter(pk=crossing.pk).update(crossed_at=at)
        crossings[period.start, amount] = crossing.pk
    board = board_of(campaign, months=12)
    assert [m.raised for m in board.months] == [1000] + [0] * 10 + [40000]
    assert [(c.period.start, c.amount) for c in board.crossings] == [
        (first.start, 1000), (first.start, 50000), (last.start, 10000), (last.start, 40000),
    ]  # fmt: skip
    assert all(c.period.campaign is campaign for c in board.crossings)
    assert board.timeline == [
        {"when": datetime.datetime(2026, 11, 9, tzinfo=datetime.UTC), "month": "NOVEMBER 2026", "amount": "400 $",
         "label": "L40000", "is_target": True},
        {"when": datetime.datetime(2026, 11, 9, tzinfo=datetime.UTC), "month": "NOVEMBER 2026", "amount": "100 $",
         "label": "L10000", "is_target": False},
        {"when": datetime.datetime(2026, 11, 9, tzinfo=datetime.UTC), "month": "DECEMBER 2025", "amount": "500 $",
         "label": "L50000", "is_target": False},
        {"when": datetime.datetime(2025, 12, 20, tzinfo=datetime.UTC), "month": "DECEMBER 2025", "amount": "10 $",
         "label": "L1000", "is_target": False},
    ]  # fmt: skip


def test_month_starts_cross_the_year():
    assert month_starts(datetime.date(2026, 2, 14), 4) == [
        datetime.date(2025, 11, 1), datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1),
    ]  # fmt: skip


def pace_on(campaign, day, **figures):
    period = Period(campaign=campaign, start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30), **figures)
    return pace_of(period, datetime.date(2026, 11, day))


def test_the_pace_on_the_first_and_the_last_day(campaign):
    first = pace_on(campaign, 1, target=30000, raised=1000)
    assert (first.days_total, first.days_elapsed, first.days_left) == (30, 1, 29)
    assert (first.projected, first.needed_per_day, first.on_track) == (30000, 1000, True)  # 29,000 over 29 days
    last = pace_on(campaign, 30, target=30000, raised=29000)
    assert (last.days_left, last.projected, last.needed_per_day, last.on_track) == (0, 29000, 1000, False)
    assert pace_on(campaign, 30, target=30000, raised=31000).needed_per_day == 0
    assert pace_on(campaign, 10, target=30000, raised=1000).needed_per_day == 1450  # 29,000 over 20 days


def test_the_pace_rounds_the_projection_down_and_the_need_up(campaign):
    pace = pace_on(campaign, 7, target=30000, raised=1000)  # 1,000 in 7 of 30 days; 29,000 over 23 days
    assert (pace.projected, pace.needed_per_day) == (4285, 1261)


def test_a_recurring_total_is_already_its_projection(campaign):
    pace = pace_on(campaign, 10, goal_kind="recurring", target=30000, recurring=12000, raised=99999)
    assert (pace.current, pace.projected, pace.target) == (12000, 12000, 30000)


def test_no_pace_outside_the_month(campaign):
    period = Period(campaign=campaign, start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30), target=1)
    assert pace_of(period, datetime.date(2026, 10, 31)) is None
    assert pace_of(period, datetime.date(2026, 12, 1)) is None


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(1, 1), (2, 2), (7, 8), (9, 10), (11, 12), (13, 16), (17, 20), (21, 24), (25, 30), (31, 40), (41, 50), (51, 60),
     (61, 80), (81, 100), (100, 100), (101, 120), (45000, 50000), (50001, 60000)],
)  # fmt: skip
def test_the_charts_scale_is_a_round_number(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_the_chart_geometry(campaign):
    october = Month(month(campaign, 2026, 10, raised=30000), "Oct 26")
    november = Month(month(campaign, 2026, 11, raised=45000), "Nov 26")
    chart = chart_of([october, november], campaign)
    # 684 × 190 inside the margins, base line at 206, scale to 500 $ (the next round number above 450 $).
    assert (chart["inner_w"], chart["base"], chart["width"], chart["height"]) == (684, 206, 760, 240)
    assert chart["bars"] == [
        {"x": 115.3, "w": 239.4, "y": 92.0, "h": 114.0, "target_y": 54.0, "met": False, "label": "Oct 26",
         "cx": 235.0, "title": "OCTOBER 2026: 300 $ of 400 $"},
        {"x": 457.3, "w": 239.4, "y": 35.0, "h": 171.0, "target_y": 54.0, "met": True, "label": "Nov 26",
         "cx": 577.0, "title": "NOVEMBER 2026: 450 $ of 400 $"},
    ]  # fmt: skip
    assert chart["ticks"] == [
        {"y": 206.0, "label": "0 $"}, {"y": 158.5, "label": "125 $"}, {"y": 111.0, "label": "250 $"},
        {"y": 63.5, "label": "375 $"}, {"y": 16.0, "label": "500 $"},
    ]  # fmt: skip


def test_the_chart_of_empty_months_and_a_months_below_zero(campaign):
    empty = Month(month(campaign, 2026, 11, target=0), "Nov 26")
    chart = chart_of([empty], campaign)  # nothing to scale: 0 to 1, the bar flat on the base
    assert [(b["y"], b["h"], b["target_y"]) for b in chart["bars"]] == [(206.0, 0.0, 206.0)]
    assert [t["label"] for t in chart["ticks"]] == ["0 $", "0 $", "0 $", "0 $", "0.01 $"]  # 1 minor unit at the top
    below = Month(month(campaign, 2026, 10, raised=-5000, target=10000), "Oct 26")
    assert [(b["y"], b["h"]) for b in chart_of([below], campaign)["bars"]] == [(206.0, 0.0)]
    assert chart_of([], campaign)["ticks"] == [] and chart_of([], campaign)["bars"] == []


def test_a_two_year_chart_labels_every_third_month_and_the_last(campaign):
    months = [Month(Period(campaign=campaign, start=datetime.date(2026, 11, 1), target=1), f"m{i}") for i in range(24)]
    labels = [bar["label"] for bar in chart_of(months, campaign)["bars"]]
    assert labels == [f"m{i}" if i % 3 == 0 or i == 23 else "" for i in range(24)]
    months = [Month(Period(campaign=campaign, start=datetime.date(2026, 11, 1), target=1), f"m{i}") for i in range(12)]
    assert [bar["label"] for bar in chart_of(months, campaign)["bars"]] == [f"m{i}" for i in range(12)]


def test_it_reads_the_periods_and_their_crossings_in_two_queries(campaign, django_assert_num_queries):
    for number in (9, 10, 11):
        period = month(campaign, 2026, number, raised=40000)
        MilestoneCrossing.objects.create(period=period, amount=40000, label="")
    with django_assert_num_queries(2):
        board = board_of(campaign)
        assert [row["month"] for row in board.timeline] == ["NOVEMBER 2026", "OCTOBER 2026", "SEPTEMBER 2026"]


def test_it_shows_the_months_up_to_the_moment_asked_for(campaign):
    month(campaign, 2026, 3, raised=1000)
    board = campaign_dashboard(campaign=campaign, months=12, now=datetime.datetime(2026, 3, 5, tzinfo=datetime.UTC))
    assert board.this_month.period.start == datetime.date(2026, 3, 1) and board.this_month.raised == 1000
    assert len(board.months) == 12
    assert (
        len(campaign_dashboard(campaign=campaign, now=datetime.datetime(2026, 3, 5, tzinfo=datetime.UTC)).months) == 24
    )


def test_a_change_of_one_supporter_is_a_gain(organization):
    people = CampaignFactory(organization=organization, slug="people", goal_kind="supporters", monthly_target=50)
    month(people, 2026, 10, goal_kind="supporters", target=50, monthly_supporters=7)
    month(people, 2026, 11, goal_kind="supporters", target=50, monthly_supporters=8)
    assert board_of(people).shown["change"] == "+1"
    Period.objects.filter(campaign=people, start=datetime.date(2026, 11, 1)).update(monthly_supporters=6)
    assert board_of(people).shown["change"] == "−1"


def test_short_labels_use_the_calendar_year(organization):
    """In fr_FR weeks follow ISO 8601: Friday 1 January 2027 is in the last week of 2026, yet January 2027."""
    paris = CampaignFactory(organization=organization, slug="paris", time_zone="Europe/Paris", locale="fr_FR")
    board = board_of(paris, months=3, now=datetime.datetime(2027, 2, 10, tzinfo=datetime.UTC))
    assert [m.short for m in board.months] == ["déc. 26", "janv. 27", "févr. 27"]


def test_a_two_year_charts_coordinates_are_tenths(campaign):
    """24 bars of 28.5 units: 4.275 units of gap, 19.95 wide, 333.33 $ of a 400 $ scale, all drawn to a tenth."""
    months = [Month(Period(campaign=campaign, start=datetime.date(2026, 11, 1), target=40000, raised=33333), "m")] * 24
    bars = chart_of(months, campaign)["bars"]
    first = bars[0]
    assert (first["x"], first["w"], first["y"], first["h"], first["target_y"], first["cx"]) == (
        68.3, 19.9, 47.7, 158.3, 16.0, 78.2,
    )  # fmt: skip
    for bar in bars:
        assert all(round(bar[key], 1) == bar[key] for key in ("x", "w", "y", "h", "target_y", "cx"))


def test_a_single_months_bar_takes_the_whole_width(campaign):
    only = Month(Period(campaign=campaign, start=datetime.date(2026, 11, 1), target=40000, raised=10000), "Nov 26")
    (bar,) = chart_of([only], campaign)["bars"]
    assert (bar["x"], bar["w"], bar["cx"]) == (166.6, 478.8, 406.0)  # 64 + 684 × 0.15, 684 × 0.7, the middle


def test_the_chart_speaks_each_months_unit_after_the_goal_changed(organization):
    """The campaign now counts supporters; the months drawn were amounts: their titles and the scale stay in money."""
    people = CampaignFactory(organization=organization, slug="people", goal_kind="supporters", monthly_target=50)
    months = [Month(month(people, 2026, 11, goal_kind="amount", raised=30000), "Nov 26")]
    chart = chart_of(months, people)
    assert chart["bars"][0]["title"] == "NOVEMBER 2026: 300 $ of 400 $"
    assert [t["label"] for t in chart["ticks"]] == ["0 $", "100 $", "200 $", "300 $", "400 $"]
