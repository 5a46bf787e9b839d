"""At local midnight of the 1st, each campaign closes its month with the final total and opens the next."""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.db import transaction

from fundraising.campaigns import services
from fundraising.campaigns.models import Period
from fundraising.journal.models import Entry
from fundraising.ledger import rollover
from fundraising.ledger import services as ledger
from fundraising.pipeline import tasks
from tests.factories import CampaignFactory, DonationFactory, MilestoneFactory
from tests.journal_helpers import dispatch_held

NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def months(campaign):
    return [
        (p.start.isoformat(), p.closed_at is not None, p.raised, p.target) for p in campaign.periods.order_by("start")
    ]


def give(campaign, amount):
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, amount=amount)
        ledger.ledger_changed(period_id=donation.period_id)


def roll_at(when):
    with time_machine.travel(when, tick=False):
        tasks.periods_rollover()


def test_it_rolls_each_campaign_at_its_own_midnight(transactional_db):
    ny = CampaignFactory(slug="ny", time_zone="America/New_York")
    tokyo = CampaignFactory(slug="tokyo", time_zone="Asia/Tokyo")
    with time_machine.travel(datetime.datetime(2026, 10, 20, 12, tzinfo=datetime.UTC), tick=False):
        give(ny, 1000)
        give(tokyo, 2000)

    # 2026-10-31 23:50 in New York is already November 1st, 12:50 in Tokyo.
    roll_at(datetime.datetime(2026, 10, 31, 23, 50, tzinfo=NEW_YORK))
    assert months(ny) == [("2026-10-01", False, 1000, 500000)]
    assert months(tokyo) == [("2026-10-01", True, 2000, 500000), ("2026-11-01", False, 0, 500000)]

    roll_at(datetime.datetime(2026, 11, 1, 0, 5, tzinfo=NEW_YORK))
    assert months(ny) == [("2026-10-01", True, 1000, 500000), ("2026-11-01", False, 0, 500000)]


def test_it_opens_the_new_month_with_the_current_target_and_milestones(transactional_db):
    campaign = CampaignFactory(time_zone="Asia/Tokyo", monthly_target=500000)
    with time_machine.travel(datetime.datetime(2026, 1, 15, tzinfo=TOKYO), tick=False):
        services.period_for(campaign=campaign)
    campaign.monthly_target = 800000
    campaign.save()
    MilestoneFactory(campaign=campaign, amount=400000, label="Half")

    roll_at(datetime.datetime(2026, 2, 1, 0, 1, tzinfo=TOKYO))

    old, new = campaign.periods.order_by("start")
    assert (old.target, old.milestones, old.closed_at is not None) == (500000, [], True)
    assert (new.start, new.target, new.milestones) == (
        datetime.date(2026, 2, 1),
        800000,
        [{"amount": 400000, "label": "Half"}],
    )


def test_it_is_idempotent(transactional_db):
    campaign = CampaignFactory(time_zone="America/New_York")
    with time_machine.travel(datetime.datetime(2026, 3, 20, tzinfo=NEW_YORK), tick=False):
        give(campaign, 1500)
    roll_at(datetime.datetime(2026, 4, 1, 0, 3, tzinfo=NEW_YORK))
    first = list(Period.objects.filter(campaign=campaign).values_list("pk", "closed_at"))
    roll_at(datetime.datetime(2026, 4, 1, 0, 8, tzinfo=NEW_YORK))
    roll_at(datetime.datetime(2026, 4, 1, 0, 13, tzinfo=NEW_YORK))
    assert list(Period.objects.filter(campaign=campaign).values_list("pk", "closed_at")) == first
    assert months(campaign) == [("2026-03-01", True, 1500, 500000), ("2026-04-01", False, 0, 500000)]


def test_it_closes_with_the_final_total_even_if_a_refresh_was_missed(transactional_db):
    campaign = CampaignFactory(time_zone="UTC")
    with time_machine.travel(datetime.datetime(2026, 5, 31, 23, 59, tzinfo=datetime.UTC), tick=False):
        DonationFactory(campaign=campaign, amount=4200)  # written without ledger_changed: totals are stale
    roll_at(datetime.datetime(2026, 6, 1, 0, 4, tzinfo=datetime.UTC))
    assert months(campaign)[0] == ("2026-05-01", True, 4200, 500000)


def test_it_leaves_inactive_campaigns_alone(transactional_db):
    campaign = CampaignFactory(time_zone="UTC", active=False)
    with time_machine.travel(datetime.datetime(2026, 5, 10, tzinfo=datetime.UTC), tick=False):
        services.period_for(campaign=campaign)
    roll_at(datetime.datetime(2026, 6, 1, 0, 4, tzinfo=datetime.UTC))
    assert months(campaign) == [("2026-05-01", False, 0, 500000)]


def test_it_rolls_many_campaigns_in_a_few_queries(transactional_db, django_assert_max_num_queries):
    zones = ["UTC", "Asia/Tokyo", "America/New_York", "Europe/Paris", "Pacific/Auckland"]
    campaigns = [CampaignFactory(time_zone=zones[n % len(zones)]) for n in range(40)]
    with time_machine.travel(datetime.datetime(2026, 5, 15, tzinfo=datetime.UTC), tick=False):
        for campaign in campaigns:
            give(campaign, 100)
    MilestoneFactory(campaign=campaigns[0], amount=300000, label="Most")

    with time_machine.travel(datetime.datetime(2026, 6, 2, tzinfo=datetime.UTC), tick=False):
        # Each closed month is journalled (one insert a batch) and followed up after commit (summary, breakdown,
        # outgoing events: tasks of their own, in-process here), so the count is taken with the dispatch held.
        with dispatch_held(), django_assert_max_num_queries(13):  # 40 more campaigns cost no more
            assert len(rollover.campaigns_roll()) == 40
    assert all(months(c) == [("2026-05-01", True, 100, 500000), ("2026-06-01", False, 0, 500000)] for c in campaigns)
    assert Period.objects.get(campaign=campaigns[0], start="2026-06-01").milestones == [
        {"amount": 300000, "label": "Most"}
    ]


def test_it_switches_many_widgets_in_a_few_queries(transactional_db, widget_root, django_assert_max_num_queries):
    """The rollover's widget task builds a batch's snapshots from two queries, whatever the batch's size, and
    each widget shows its own campaign's new month; an inactive campaign in the batch loses its widget."""
    from fundraising.widgets import services as widgets

    zones = ["UTC", "Asia/Tokyo", "America/New_York"]
    campaigns = [CampaignFactory(slug=f"c{n}", time_zone=zones[n % 3], monthly_target=1000 + n) for n in range(30)]
    with time_machine.travel(datetime.datetime(2026, 5, 15, tzinfo=datetime.UTC), tick=False):
        for campaign in campaigns:
            give(campaign, 100)
            widgets.snapshot_refresh(campaign_id=campaign.pk)
    gone = CampaignFactory(slug="gone", time_zone="UTC")
    widgets.snapshot_refresh(campaign_id=gone.pk)
    gone.active = False
    gone.save()
    with time_machine.travel(datetime.datetime(2026, 6, 2, tzinfo=datetime.UTC), tick=False):
        with dispatch_held():
            ids = rollover.campaigns_roll()
        with django_assert_max_num_queries(2):  # the campaigns, their current months
            assert widgets.snapshots_refresh(campaign_ids=[*ids, gone.pk]) == 30
        for n, campaign in enumerate(campaigns):
            entry = widgets.cache_get(widgets.entry_key(campaign.slug))
            on_disk = widgets.files_read(slug=campaign.slug)
            for snapshot in (entry["snapshot"], on_disk["snapshot"]):
                assert (snapshot["campaign"], snapshot["period"]["start"]) == (campaign.slug, "2026-06-01")
                assert (snapshot["raised"], snapshot["target"]) == (0, 1000 + n)
    assert widgets.files_read(slug="gone") is None
    assert widgets.cache_get(widgets.entry_key("gone")) is None


def test_the_closed_months_follow_ups_wait_behind_the_widgets(monkeypatch):
    """A month-end's breakdowns and e-mails go in tasks of CLOSED_PER_TASK months, queued at a priority the
    broker serves after the default one, so the widget tasks queued after them still run first."""
    queued = []
    monkeypatch.setattr(tasks.periods_closed_followup, "apply_async", lambda args, **kw: queued.append((args, kw)))
    ids = list(range(1, 2 * tasks.CLOSED_PER_TASK + 2))
    tasks.periods_closed_followup_enqueue(period_ids=ids)
    assert [period for (chunk,), _ in queued for period in chunk] == ids
    assert [len(chunk) for (chunk,), _ in queued] == [tasks.CLOSED_PER_TASK, tasks.CLOSED_PER_TASK, 1]
    assert all(kw == {"priority": tasks.FOLLOWUP_PRIORITY} for _, kw in queued) and tasks.FOLLOWUP_PRIORITY > 0


def test_a_read_after_midnight_closes_the_month_at_the_moment_it_names(transactional_db):
    """campaign_rollover takes the moment to roll at (a widget read passes the time it saw)."""
    campaign = CampaignFactory(time_zone="UTC")
    with time_machine.travel(datetime.datetime(2026, 5, 31, 23, 59, tzinfo=datetime.UTC), tick=False):
        give(campaign, 700)
        after = datetime.datetime(2026, 6, 1, 0, 1, tzinfo=datetime.UTC)
        closed = rollover.campaign_rollover(campaign=campaign, now=after)
    may = Period.objects.get(campaign=campaign, start=datetime.date(2026, 5, 1))
    assert closed == [may.pk] and may.closed_at == after
    assert months(campaign) == [("2026-05-01", True, 700, 500000), ("2026-06-01", False, 0, 500000)]


def test_a_read_rolls_only_its_own_campaign(transactional_db):
    """Tokyo's first read of November closes Tokyo's October, not New York's, where it is still October."""
    ny = CampaignFactory(slug="ny", time_zone="America/New_York")
    tokyo = CampaignFactory(slug="tokyo", time_zone="Asia/Tokyo")
    with time_machine.travel(datetime.datetime(2026, 10, 20, 12, tzinfo=datetime.UTC), tick=False):
        give(ny, 1000)
        give(tokyo, 2000)
    with time_machine.travel(datetime.datetime(2026, 11, 1, 0, 30, tzinfo=TOKYO), tick=False):
        rollover.campaign_rollover(campaign=tokyo)
    assert months(ny) == [("2026-10-01", False, 1000, 500000)]
    assert months(tokyo) == [("2026-10-01", True, 2000, 500000), ("2026-11-01", False, 0, 500000)]


def test_two_readers_close_the_month_once(transactional_db, monkeypatch):
    """Closing is a compare-and-set: when another reader closed the month meanwhile, its close stands and the
    month is announced once."""
    campaign = CampaignFactory(time_zone="UTC")
    with time_machine.travel(datetime.datetime(2026, 5, 20, tzinfo=datetime.UTC), tick=False):
        give(campaign, 900)
    first = datetime.datetime(2026, 6, 1, 0, 0, 5, tzinfo=datetime.UTC)
    recompute = rollover.period_recompute

    def other_reader_first(*, period_id):
        recompute(period_id=period_id)
        Period.objects.filter(pk=period_id, closed_at__isnull=True).update(closed_at=first)

    monkeypatch.setattr(rollover, "period_recompute", other_reader_first)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 0, 1, tzinfo=datetime.UTC), tick=False):
        assert rollover.campaign_rollover(campaign=campaign) == []
    may = Period.objects.get(campaign=campaign, start=datetime.date(2026, 5, 1))
    announced = Entry.objects.filter(kind="period.closed", period_id=may.pk).count()
    assert (may.closed_at, may.raised, announced) == (first, 900, 0)


def test_the_beat_leaves_a_month_a_widget_read_closed_meanwhile(transactional_db, monkeypatch):
    """The beat's roll and a read's roll at once: the read's close stands and the month is announced once."""
    campaign = CampaignFactory(time_zone="UTC")
    with time_machine.travel(datetime.datetime(2026, 5, 20, tzinfo=datetime.UTC), tick=False):
        give(campaign, 600)
    first = datetime.datetime(2026, 6, 1, 0, 0, 5, tzinfo=datetime.UTC)
    close_batch = rollover._periods_close_batch

    def read_closed_first(*, period_ids, now):
        Period.objects.filter(pk__in=period_ids).update(closed_at=first)
        return close_batch(period_ids=period_ids, now=now)

    monkeypatch.setattr(rollover, "_periods_close_batch", read_closed_first)
    roll_at(datetime.datetime(2026, 6, 1, 0, 4, tzinfo=datetime.UTC))
    may = Period.objects.get(campaign=campaign, start=datetime.date(2026, 5, 1))
    announced = Entry.objects.filter(kind="period.closed", period_id=may.pk).count()
    assert (may.closed_at, announced) == (first, 0)


def test_a_closed_month_says_when_its_final_figures_were_computed(transactional_db):
    """The period admin shows recomputed_at: for a month closed by the beat, the moment it closed."""
    campaign = CampaignFactory(time_zone="UTC")
    with time_machine.travel(datetime.datetime(2026, 5, 31, 23, 59, tzinfo=datetime.UTC), tick=False):
        DonationFactory(campaign=campaign, amount=4200)  # no refresh ran: never recomputed before the close
    roll_at(datetime.datetime(2026, 6, 1, 0, 4, tzinfo=datetime.UTC))
    may = Period.objects.get(campaign=campaign, start=datetime.date(2026, 5, 1))
    assert may.recomputed_at == may.closed_at == datetime.datetime(2026, 6, 1, 0, 4, tzinfo=datetime.UTC)


def test_the_beat_opens_each_campaigns_month_and_names_only_those_that_changed(transactional_db):
    """One campaign's new month already exists (a read made it): the other's still opens. A second roll the
    same month changes nothing and names no campaign, so no widget is rebuilt for nothing."""
    early = CampaignFactory(slug="early", time_zone="UTC")
    late = CampaignFactory(slug="late", time_zone="UTC")
    with time_machine.travel(datetime.datetime(2026, 5, 20, tzinfo=datetime.UTC), tick=False):
        give(early, 100)
        give(late, 200)
    with time_machine.travel(datetime.datetime(2026, 6, 1, 0, 1, tzinfo=datetime.UTC), tick=False):
        services.period_for(campaign=early)
        assert rollover.campaigns_roll() == sorted([early.pk, late.pk])
        assert rollover.campaigns_roll() == []
    assert months(late) == [("2026-05-01", True, 200, 500000), ("2026-06-01", False, 0, 500000)]


def test_the_beat_rolls_at_the_moment_it_names(transactional_db):
    campaign = CampaignFactory(time_zone="UTC")
    with time_machine.travel(datetime.datetime(2026, 5, 31, 23, 59, tzinfo=datetime.UTC), tick=False):
        give(campaign, 800)
        assert rollover.campaigns_roll(now=datetime.datetime(2026, 6, 1, 0, 2, tzinfo=datetime.UTC)) == [campaign.pk]
    assert months(campaign) == [("2026-05-01", True, 800, 500000), ("2026-06-01", False, 0, 500000)]


def test_the_beat_opens_a_month_with_its_milestones_in_order(transactional_db):
    """Milestones added largest first still come smallest first in the new month, as the bar draws them."""
    campaign = CampaignFactory(time_zone="UTC")
    with time_machine.travel(datetime.datetime(2026, 5, 20, tzinfo=datetime.UTC), tick=False):
        give(campaign, 100)
    MilestoneFactory(campaign=campaign, amount=400000, label="Most")
    MilestoneFactory(campaign=campaign, amount=100000, label="First")
    roll_at(datetime.datetime(2026, 6, 1, 0, 4, tzinfo=datetime.UTC))
    assert Period.objects.get(campaign=campaign, start="2026-06-01").milestones == [
        {"amount": 100000, "label": "First"},
        {"amount": 400000, "label": "Most"},
    ]


def test_the_beat_leaves_an_inactive_campaign_alone_in_a_zone_others_roll(transactional_db):
    active = CampaignFactory(slug="on", time_zone="UTC")
    paused = CampaignFactory(slug="off", time_zone="UTC")
    with time_machine.travel(datetime.datetime(2026, 5, 10, tzinfo=datetime.UTC), tick=False):
        give(active, 100)
        give(paused, 200)
    paused.active = False
    paused.save()
    roll_at(datetime.datetime(2026, 6, 1, 0, 4, tzinfo=datetime.UTC))
    assert months(paused) == [("2026-05-01", False, 200, 500000)]
    assert months(active) == [("2026-05-01", True, 100, 500000), ("2026-06-01", False, 0, 500000)]


def test_the_beat_names_every_campaign_it_closed_across_batches(transactional_db, monkeypatch):
    monkeypatch.setattr(rollover, "CLOSE_BATCH", 1)
    campaigns = [CampaignFactory(slug=f"c{n}", time_zone="UTC") for n in range(3)]
    with time_machine.travel(datetime.datetime(2026, 5, 10, tzinfo=datetime.UTC), tick=False):
        for campaign in campaigns:
            give(campaign, 100)
        services.period_for(campaign=campaigns[0], when=datetime.datetime(2026, 6, 1, 1, tzinfo=datetime.UTC))
    with time_machine.travel(datetime.datetime(2026, 6, 1, 0, 4, tzinfo=datetime.UTC), tick=False):
        assert rollover.campaigns_roll() == sorted(c.pk for c in campaigns)
    assert all(months(c)[0] == ("2026-05-01", True, 100, 500000) for c in campaigns)


def test_a_read_opening_the_month_while_the_beat_opens_it_is_no_error(transactional_db, monkeypatch):
    from fundraising.campaigns.models import Milestone

    campaign = CampaignFactory(time_zone="UTC")
    with time_machine.travel(datetime.datetime(2026, 5, 10, tzinfo=datetime.UTC), tick=False):
        give(campaign, 100)
    milestones = Milestone.objects.filter

    def read_opens_it_first(*args, **kwargs):  # between the beat's "which months are missing" and its insert
        services.period_for(campaign=campaign)
        return milestones(*args, **kwargs)

    monkeypatch.setattr(Milestone.objects, "filter", read_opens_it_first)
    roll_at(datetime.datetime(2026, 6, 1, 0, 4, tzinfo=datetime.UTC))
    assert months(campaign) == [("2026-05-01", True, 100, 500000), ("2026-06-01", False, 0, 500000)]
