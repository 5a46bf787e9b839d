"""fundraising/campaigns/milestones.py crossings_record: a threshold is reached when the total equals it, a
refire forgets only what the total fell below, a month closed exactly CLOSED_QUIET ago still records, and each new
crossing is journalled for its own organisation, campaign and period."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from fundraising.campaigns import milestones
from fundraising.campaigns.models import MilestoneCrossing, Period
from fundraising.campaigns.services import period_for
from fundraising.journal.models import Entry
from tests.factories import CampaignFactory


@pytest.fixture
def period(campaign):
    period = period_for(campaign=campaign)
    Period.objects.filter(pk=period.pk).update(
        milestones=[{"amount": 100000, "label": "First"}, {"amount": 250000, "label": "Halfway"}]
    )
    return period


def at(period, raised, **fields):
    Period.objects.filter(pk=period.pk).update(raised=raised, **fields)
    return Period.objects.select_related("campaign").get(pk=period.pk)


def crossed(period):
    return list(MilestoneCrossing.objects.filter(period=period).values_list("amount", "label"))


def test_a_total_equal_to_a_threshold_reaches_it(period):
    assert len(milestones.crossings_record(period=at(period, 100000))) == 1
    assert crossed(period) == [(100000, "First")]
    milestones.crossings_record(period=at(period, 250000))
    milestones.crossings_record(period=at(period, 500000))  # the target
    assert crossed(period) == [(100000, "First"), (250000, "Halfway"), (500000, "Target")]


def test_with_refire_a_total_equal_to_a_crossing_keeps_it(period, campaign):
    campaign.milestones_refire = True
    campaign.save()
    milestones.crossings_record(period=at(period, 300000))
    assert milestones.crossings_record(period=at(period, 250000)) == []  # fell to exactly Halfway
    assert crossed(period) == [(100000, "First"), (250000, "Halfway")]
    assert milestones.crossings_record(period=at(period, 249999)) == []
    assert crossed(period) == [(100000, "First")]  # below it: forgotten, so reaching it again notifies again


def test_a_month_closed_exactly_closed_quiet_ago_still_records(period):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        closed = at(period, 100000, closed_at=now - milestones.CLOSED_QUIET)
        assert len(milestones.crossings_record(period=closed)) == 1
        later = at(period, 250000, closed_at=now - milestones.CLOSED_QUIET - datetime.timedelta(microseconds=1))
        assert milestones.crossings_record(period=later) == []
    assert crossed(period) == [(100000, "First")]


def test_each_new_crossing_is_journalled_for_its_period(period, campaign):
    (first,) = milestones.crossings_record(period=at(period, 100000))
    (halfway,) = milestones.crossings_record(period=at(period, 250000))
    entries = Entry.objects.filter(kind="milestone.reached").order_by("pk")
    assert [(e.key, e.organization_id, e.campaign_id, e.period_id, e.data, e.dispatched_at) for e in entries] == [
        (f"milestone.reached:{pk}", campaign.organization_id, campaign.pk, period.pk, {"crossing_id": pk}, None)
        for pk in (first, halfway)
    ]


def test_a_milestone_without_a_label_is_recorded_without_one(period):
    Period.objects.filter(pk=period.pk).update(milestones=[{"amount": 100000}])
    milestones.crossings_record(period=at(period, 100000))
    assert crossed(period) == [(100000, "")]


def test_a_milestone_of_one_counts_and_one_of_zero_never_does(period):
    """A first supporter is a milestone worth announcing; a zero amount (never valid) would fire on an empty month."""
    Period.objects.filter(pk=period.pk).update(
        milestones=[{"amount": 0, "label": "Zero"}, {"amount": 1, "label": "One"}]
    )
    assert milestones.crossings_record(period=at(period, 0)) == []
    milestones.crossings_record(period=at(period, 1))
    assert crossed(period) == [(1, "One")]


def test_imported_history_is_journalled_as_already_dispatched(period, campaign):
    """The demo's history (fundraising/ops/demo_history.py) records its crossings without telling anyone."""
    crossing = MilestoneCrossing.objects.create(period=period, amount=100000, label="")
    milestones.crossings_journal(period=at(period, 100000), crossing_ids=[crossing.pk], dispatched=True)
    entry = Entry.objects.get(kind="milestone.reached")
    assert entry.key == f"milestone.reached:{crossing.pk}" and entry.dispatched_at is not None


def test_with_refire_a_drop_forgets_only_this_months_crossings(period, campaign, organization):
    """Another campaign's month, and this campaign's previous month, keep what they reached."""
    other = period_for(campaign=CampaignFactory(organization=organization, slug="other"))
    kept = [
        MilestoneCrossing.objects.create(period=other, amount=250000, label="Theirs"),
        MilestoneCrossing.objects.create(
            period=Period.objects.create(
                campaign=campaign, start=datetime.date(2020, 1, 1), end=datetime.date(2020, 1, 31), target=1
            ),
            amount=250000,
            label="Before",
        ),
    ]
    campaign.milestones_refire = True
    campaign.save()
    milestones.crossings_record(period=at(period, 300000))
    milestones.crossings_record(period=at(period, 0))
    assert crossed(period) == []
    assert MilestoneCrossing.objects.filter(pk__in=[c.pk for c in kept]).count() == 2
