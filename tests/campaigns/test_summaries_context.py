"""fundraising/campaigns/summaries.py period_summary_context on stored periods written by hand: every figure the
month-end e-mail states, the previous month of this campaign only, and the edges (no target, exactly met)."""

import datetime

import pytest

from fundraising.campaigns.models import Period
from fundraising.campaigns.summaries import period_summary_context
from tests.factories import CampaignFactory


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://give.example"


def month(campaign, year, number, **figures):
    start = datetime.date(year, number, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    figures.setdefault("target", 40000)
    return Period.objects.create(campaign=campaign, start=start, end=end, **figures)


def test_it_states_every_figure_of_the_month(campaign):
    month(campaign, 2026, 9, raised=20000, recurring=5000)
    october = month(
        campaign, 2026, 10, raised=29900, one_time_raised=10000, monthly_raised=15000, yearly_raised=2900,
        offline_raised=2000, donors=12, monthly_supporters=5, new_monthly=2, cancelled_monthly=1, recurring=7000,
        refunded=1000, disputed=2000,
    )  # fmt: skip
    assert period_summary_context(october) == {
        "title": "Keep the lights on",
        "month": "OCTOBER 2026",
        "current": "299 $",
        "target": "400 $",
        "percent": "75%",
        "met": False,
        "missing": "101 $",
        "raised": "299 $",
        "one_time": "100 $",
        "monthly": "150 $",
        "yearly": "29 $",  # paid this month, though not offered now
        "offline": "20 $",
        "donors": 12,
        "monthly_supporters": 5,
        "new": 2,
        "cancelled": 1,
        "run_rate": "70 $",
        "refunded": "10 $",
        "disputed": "20 $",
        "previous": {"month": "SEPTEMBER 2026", "current": "200 $", "change": "+99 $", "run_rate_change": "+20 $"},
        "dashboard_url": f"https://give.example/admin/campaigns/campaign/{campaign.pk}/dashboard/",
    }


def test_the_previous_month_is_this_campaigns_latest_before(campaign, organization):
    month(campaign, 2026, 7, raised=90000)
    month(campaign, 2026, 8, raised=30000, recurring=9000)
    month(campaign, 2026, 11, raised=1000)  # after: not the previous one
    month(CampaignFactory(organization=organization, slug="other"), 2026, 9, raised=77700)  # another campaign's
    october = month(campaign, 2026, 10, raised=20000, recurring=9000)
    assert period_summary_context(october)["previous"] == {
        "month": "AUGUST 2026", "current": "300 $", "change": "−100 $", "run_rate_change": "±0 $",
    }  # fmt: skip


def test_the_first_month_has_no_previous_one_and_no_yearly_line(campaign):
    context = period_summary_context(month(campaign, 2026, 10, raised=20000))
    assert (context["previous"], context["yearly"]) == (None, "")


def test_a_campaign_offering_yearly_gifts_always_has_the_line(organization):
    offered = CampaignFactory(organization=organization, slug="offered", yearly_gifts=True)
    assert period_summary_context(month(offered, 2026, 10))["yearly"] == "0 $"


def test_a_month_exactly_at_its_target_met_it(campaign):
    context = period_summary_context(month(campaign, 2026, 10, raised=40000))
    assert (context["met"], context["missing"], context["percent"]) == (True, "0 $", "100%")
    context = period_summary_context(month(campaign, 2026, 11, raised=50000))
    assert (context["met"], context["missing"], context["percent"]) == (True, "0 $", "125%")


def test_a_month_without_a_target_is_at_0_percent(campaign):
    assert period_summary_context(month(campaign, 2026, 10, raised=5000, target=0))["percent"] == "0%"


def test_a_change_of_goal_kind_states_no_change(organization):
    people = CampaignFactory(organization=organization, slug="people", goal_kind="supporters", monthly_target=50)
    month(people, 2026, 9, goal_kind="amount", raised=20000, recurring=1000)
    october = month(people, 2026, 10, goal_kind="supporters", target=50, monthly_supporters=8, recurring=1500)
    context = period_summary_context(october)
    assert (context["current"], context["target"], context["missing"]) == ("8", "50", "42")
    assert context["previous"] == {
        "month": "SEPTEMBER 2026", "current": "200 $", "change": "", "run_rate_change": "+5 $",
    }  # fmt: skip


def test_a_change_of_one_is_a_gain(organization):
    people = CampaignFactory(organization=organization, slug="people", goal_kind="supporters", monthly_target=50)
    month(people, 2026, 9, goal_kind="supporters", target=50, monthly_supporters=7)
    october = month(people, 2026, 10, goal_kind="supporters", target=50, monthly_supporters=8)
    assert period_summary_context(october)["previous"]["change"] == "+1"


def test_it_speaks_the_organisations_language(campaign):
    campaign.organization.language = "fr"
    campaign.organization.save()
    month(campaign, 2026, 9, raised=20000)
    context = period_summary_context(month(campaign, 2026, 10, raised=29900))
    assert (context["month"], context["previous"]["month"]) == ("OCTOBRE 2026", "SEPTEMBRE 2026")
    assert context["percent"].replace("\u202f", " ").replace("\xa0", " ") == "75 %"
