"""fundraising/pipeline/consumers.py: what the pipeline queues for each journal entry. A gift moved to another
month refreshes both months; a changed campaign refreshes its open month if it is active; every crossing of a
dispatch gets its owners' e-mail and every closed month its follow-up."""

import datetime
from unittest import mock

from django.db import transaction

from fundraising.campaigns.models import Period
from fundraising.campaigns.services import period_for
from fundraising.journal.models import Entry
from fundraising.ledger import services as ledger
from fundraising.ledger.models import Donation
from fundraising.pipeline import consumers, tasks
from tests.factories import CampaignFactory, gift_add


def test_a_gift_moved_to_another_month_refreshes_both(transactional_db, campaign):
    in_november, in_october = (datetime.datetime(2026, m, 5, 12, 0, tzinfo=datetime.UTC) for m in (11, 10))
    november, october = period_for(campaign=campaign, when=in_november), period_for(campaign=campaign, when=in_october)
    gift_add(campaign=campaign, gifts=[{"amount": 1500, "paid_at": in_november}], period=november)
    gift = Donation.objects.get()
    assert Period.objects.get(pk=november.pk).raised == 1500
    with transaction.atomic():
        gift.period, gift.paid_at = october, in_october
        ledger.donation_settle(donation=gift, old_period_id=november.pk)
    assert (Period.objects.get(pk=october.pk).raised, Period.objects.get(pk=november.pk).raised) == (1500, 0)


def test_the_periods_touched_are_each_once_in_order_the_old_ones_included():
    entries = [
        Entry(period_id=9, data={"old_period_id": 3}),
        Entry(period_id=3, data=None),
        Entry(period_id=None, data={"old_period_id": None}),
        Entry(period_id=5, data={}),
    ]
    assert consumers.periods_touched(entries) == [3, 5, 9]
    with (
        mock.patch.object(tasks, "periods_refresh_enqueue") as refreshes,
        mock.patch.object(tasks, "periods_breakdown_enqueue") as breakdowns,
    ):
        consumers.periods_refresh(entries)
    refreshes.assert_called_once_with(period_ids=[3, 5, 9])
    breakdowns.assert_called_once_with(period_ids=[3, 5, 9])


def test_a_changed_campaign_refreshes_its_open_month_only_while_active_and_no_other(db):
    active, paused = CampaignFactory(slug="active"), CampaignFactory(slug="paused", active=False)
    CampaignFactory(slug="unchanged")  # active, but nothing changed it
    entries = [Entry(campaign_id=paused.pk), Entry(campaign_id=active.pk), Entry(campaign_id=active.pk)]
    with mock.patch.object(tasks, "periods_refresh_enqueue") as refreshes:
        consumers.campaigns_refresh(entries)
    refreshes.assert_called_once_with(period_ids=[period_for(campaign=active).pk])


def test_each_crossing_is_mailed_and_each_closed_month_followed_up():
    with (
        mock.patch.object(tasks.milestone_notify, "delay") as mailed,
        mock.patch.object(tasks, "periods_closed_followup_enqueue") as followed,
    ):
        consumers.milestones_email([Entry(data={"crossing_id": 4}), Entry(data={"crossing_id": 7})])
        consumers.periods_closed([Entry(period_id=8), Entry(period_id=2)])
    assert mailed.call_args_list == [mock.call(4), mock.call(7)]
    followed.assert_called_once_with(period_ids=[8, 2])
