"""A period is a calendar month in the campaign's time zone, created once on demand."""
import datetime
from zoneinfo import ZoneInfo

from fundraising.campaigns.models import Period
from fundraising.campaigns.services import period_bounds, period_for
from tests.factories import CampaignFactory, MilestoneFactory

UTC = datetime.UTC


def test_it_uses_the_campaign_time_zone_at_month_ends(db):
    campaign = CampaignFactory(time_zone="America/Los_Angeles")
    # 2026-12-01 05:00 UTC is still November 30th, 21:00 in Los Angeles.
    start, end = period_bounds(campaign=campaign, when=datetime.datetime(2026, 12, 1, 5, 0, tzinfo=UTC))
    assert (start, end) == (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    start, _ = period_bounds(campaign=campaign, when=datetime.datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    assert start == datetime.date(2026, 12, 1)


def test_it_puts_an_early_tokyo_morning_in_the_new_month(db):
    campaign = CampaignFactory(time_zone="Asia/Tokyo")
    start, end = period_bounds(campaign=campaign, when=datetime.datetime(2026, 1, 31, 15, 30, tzinfo=UTC))
    assert (start, end) == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))


def test_it_handles_a_dst_change_inside_the_month(db):
    campaign = CampaignFactory(time_zone="Europe/Paris")
    late_march = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert period_bounds(campaign=campaign, when=late_march) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


def test_it_creates_one_period_per_month_with_the_target_and_milestones(db):
    campaign = CampaignFactory(monthly_target=500000)
    MilestoneFactory(campaign=campaign, amount=250000, label="Halfway")
    when = datetime.datetime(2026, 2, 10, tzinfo=UTC)
    first = period_for(campaign=campaign, when=when)
    again = period_for(campaign=campaign, when=when + datetime.timedelta(days=5))
    assert first.pk == again.pk
    assert Period.objects.filter(campaign=campaign).count() == 1
    assert first.target == 500000
    assert first.milestones == [{"amount": 250000, "label": "Halfway"}]
    assert first.label == "FEBRUARY 2026"


def test_an_owners_edit_moves_only_this_campaigns_current_month(db):
    """Goal kind, target and milestones follow the owner's edit in the current month, and no other campaign's."""
    from fundraising.campaigns.services import campaign_sync_open_period

    edited, other = CampaignFactory(slug="edited", monthly_target=500000), CampaignFactory(slug="other")
    period_for(campaign=edited), period_for(campaign=other)
    edited.goal_kind, edited.monthly_target = "supporters", 50
    edited.save()
    MilestoneFactory(campaign=edited, amount=25, label="Half")
    campaign_sync_open_period(campaign=edited)
    mine, theirs = period_for(campaign=edited), period_for(campaign=other)
    assert (mine.goal_kind, mine.target, mine.milestones) == ("supporters", 50, [{"amount": 25, "label": "Half"}])
    assert (theirs.goal_kind, theirs.target, theirs.milestones) == ("amount", 500000, [])


def test_finding_an_existing_month_costs_one_query(campaign, django_assert_num_queries):
    """Every payment asks for its month: once the month exists that is one read (no savepoint, no insert,
    no milestones read)."""
    MilestoneFactory(campaign=campaign, amount=1000, label="Halfway")
    created = period_for(campaign=campaign)
    with django_assert_num_queries(1):
        assert period_for(campaign=campaign) == created
