"""The verification's checks of monthly supporters: how many the ledger counts in a month, each stream's stored net
and count of standing gifts, and each gift's stored `reversed` state (the wall reads it), repaired where they
differ and only in the months named."""

import datetime

import pytest
from django.utils import timezone

from fundraising.campaigns.models import Period
from fundraising.journal import kinds
from fundraising.journal.models import Entry
from fundraising.ledger import verify
from fundraising.ledger.models import Donation, PeriodStreamNet, PeriodTally, RecurringStream
from fundraising.ledger.offline import offline_gift_reverse
from tests.factories import CampaignFactory, DonationFactory
from tests.ledger.breakdown_check import assert_breakdown_matches_the_ledger, running_breakdown


def monthly(campaign, sub, amount=1000, **fields):
    return DonationFactory(campaign=campaign, amount=amount, kind="monthly", stripe_subscription_id=sub, **fields)


def stored_streams(period_id):
    return {key: (net, gifts) for key, net, gifts in
            PeriodStreamNet.objects.filter(period_id=period_id).values_list("key", "net", "gifts")}  # fmt: skip


def test_the_ledger_counts_each_monthly_supporter_with_money_kept_once(db, campaign):
    """Two gifts of one subscription are one supporter, a fully refunded one is none, one netting 1 cent is one."""
    twice = monthly(campaign, "sub_twice")
    monthly(campaign, "sub_twice")
    monthly(campaign, "sub_refunded", amount=900, amount_refunded=900)
    monthly(campaign, "sub_one_cent", amount=1)
    period_id = twice.period_id
    assert verify.ledger_streams_by_period(period_ids=[period_id]) == {period_id: 2}

    PeriodTally.objects.filter(period_id=period_id).update(streams=0)  # a write that went around the ledger
    found = verify.periods_verify_batch(period_ids=[period_id])
    assert found[period_id] == "monthly supporters 0 but the ledger counts 2"
    assert running_breakdown(period_id)["monthly_supporters"] == 2
    assert verify.periods_verify_batch(period_ids=[period_id]) == {}


def test_a_stream_missing_from_the_stored_nets_is_put_back(db, campaign):
    gift = monthly(campaign, "sub_a", amount=800)
    monthly(campaign, "sub_a", amount=200)
    PeriodStreamNet.objects.filter(key="sub_a").delete()
    assert verify.stream_net_differences(period_ids=[gift.period_id]) == [(gift.period_id, "sub_a", 1000, 2)]
    verify.periods_verify_batch(period_ids=[gift.period_id])
    assert stored_streams(gift.period_id) == {"sub_a": (1000, 2)}
    assert_breakdown_matches_the_ledger()


def test_a_stored_stream_the_ledger_does_not_have_is_taken_back_to_nothing(db, campaign):
    gift = monthly(campaign, "sub_a", amount=800)
    PeriodStreamNet.objects.create(period_id=gift.period_id, key="sub_ghost", net=500, gifts=3)
    assert verify.stream_net_differences(period_ids=[gift.period_id]) == [(gift.period_id, "sub_ghost", -500, -3)]
    found = verify.periods_verify_batch(period_ids=[gift.period_id])
    assert "sub_ghost" in found[gift.period_id]
    assert stored_streams(gift.period_id).get("sub_ghost", (0, 0)) == (0, 0)
    assert stored_streams(gift.period_id)["sub_a"] == (800, 1)
    assert verify.stream_net_differences(period_ids=[gift.period_id]) == []


def test_a_wrong_count_of_gifts_is_moved_by_the_difference(db, campaign):
    gift = monthly(campaign, "sub_a")
    monthly(campaign, "sub_a")
    PeriodStreamNet.objects.filter(key="sub_a").update(net=1500, gifts=5)
    assert verify.stream_net_differences(period_ids=[gift.period_id]) == [(gift.period_id, "sub_a", 500, -3)]
    verify.periods_verify_batch(period_ids=[gift.period_id])
    assert stored_streams(gift.period_id) == {"sub_a": (2000, 2)}


def test_the_stream_check_of_one_month_leaves_another_months_streams_alone(db, campaign, organization):
    here = monthly(campaign, "sub_here")
    there = monthly(CampaignFactory(organization=organization, slug="other"), "sub_there", amount=700)
    PeriodStreamNet.objects.filter(key="sub_here").update(net=1)
    assert verify.stream_net_differences(period_ids=[here.period_id]) == [(here.period_id, "sub_here", 999, 0)]
    verify.periods_verify(period_ids=[here.period_id])
    assert stored_streams(here.period_id) == {"sub_here": (1000, 1)}
    assert stored_streams(there.period_id) == {"sub_there": (700, 1)}
    assert verify.periods_verify() == 0


@pytest.mark.parametrize("stored_reversed", [True, False])
def test_a_gift_whose_stored_reversed_state_is_wrong_is_set_right(db, campaign, stored_reversed):
    """Stored reversed without a reversal row, or not reversed beside one: the wall would show or hide it wrongly."""
    gift = DonationFactory(campaign=campaign, amount=2500, source="offline", method="cash")
    if not stored_reversed:
        offline_gift_reverse(donation=gift, recorded_by=None)
    Donation.objects.filter(pk=gift.pk).update(reversed=stored_reversed)
    other = DonationFactory(campaign=campaign, amount=100)

    changes = Entry.objects.filter(kind=kinds.PERIOD_CHANGED)
    before = list(changes.values_list("pk", flat=True))
    found = verify.periods_verify_batch(period_ids=[gift.period_id])
    assert found[gift.period_id] == f"gift {gift.pk} stored reversed={stored_reversed}"
    # The wall and the widgets are told: a period.changed entry for the gift's month (the pipeline refreshes it).
    assert list(changes.exclude(pk__in=before).values_list("period_id", flat=True)) == [gift.period_id]
    gift.refresh_from_db()
    other.refresh_from_db()
    assert (gift.reversed, other.reversed) == (not stored_reversed, False)
    assert verify.periods_verify_batch(period_ids=[gift.period_id]) == {}


def test_a_run_rate_repair_shows_in_the_campaigns_open_month(db, organization):
    """A stream's stored state went wrong: the repair is reported on the campaign's open month and the widget told,
    whichever ids the campaign and its months have."""
    campaign = CampaignFactory(organization=organization, slug="far", id=987_654)
    gift = monthly(campaign, "sub_a", amount=1200)
    RecurringStream.objects.filter(campaign=campaign, key="sub_a").update(amount=5)
    changes = Entry.objects.filter(kind=kinds.PERIOD_CHANGED)
    before = list(changes.values_list("pk", flat=True))

    found = verify.periods_verify_batch(period_ids=[gift.period_id])
    assert found[gift.period_id].startswith("run-rate figures differ (monthly ")
    assert set(changes.exclude(pk__in=before).values_list("period_id", flat=True)) == {gift.period_id}
    assert RecurringStream.objects.get(campaign=campaign, key="sub_a").amount == 1200
    assert verify.periods_verify_batch(period_ids=[gift.period_id]) == {}


def test_a_run_rate_repair_found_from_a_closed_month_is_reported_on_no_month(db, campaign):
    """The batch holds only last month, closed (its run-rate was stored at close): the repair is made, reported on
    no month, not even on the campaign's open month outside the batch (its own check reports it)."""
    gift = monthly(campaign, "sub_a", amount=1200, paid_at=timezone.now() - datetime.timedelta(days=40))
    monthly(campaign, "sub_b", amount=300)  # this month, open, not in the batch
    Period.objects.filter(pk=gift.period_id).update(closed_at=timezone.now())
    RecurringStream.objects.filter(key="sub_a").update(amount=5)
    assert verify.periods_verify_batch(period_ids=[gift.period_id]) == {}
    assert RecurringStream.objects.get(key="sub_a").amount == 1200


def test_wrong_donor_and_supporter_counts_are_moved_by_their_difference(db, campaign):
    """The stored counts were too high (not zero): the repair takes off the excess, it does not add."""
    gift = monthly(campaign, "sub_a")
    monthly(campaign, "sub_b")
    PeriodTally.objects.create(period_id=gift.period_id, donors=3, streams=4, created_at=gift.paid_at)
    found = verify.periods_verify_batch(period_ids=[gift.period_id])
    assert found[gift.period_id] == "monthly supporters 6 but the ledger counts 2"
    assert verify.tally_totals_by_period(period_ids=[gift.period_id])[gift.period_id] == (2000, 2)
    assert running_breakdown(gift.period_id)["monthly_supporters"] == 2
    assert verify.periods_verify_batch(period_ids=[gift.period_id]) == {}


def test_a_breakdown_repair_says_which_columns_differed(db, campaign):
    gift = DonationFactory(campaign=campaign, amount=800)
    PeriodTally.objects.create(period_id=gift.period_id, one_time_raised=5, refunded=-7, created_at=gift.paid_at)
    found = verify.periods_verify_batch(period_ids=[gift.period_id])
    assert found[gift.period_id] == (
        "breakdown: one_time_raised 805 but the ledger sums 800, refunded -7 but the ledger sums 0"
    )
    assert verify.periods_verify_batch(period_ids=[gift.period_id]) == {}


@pytest.mark.parametrize("column", ["donors", "streams"])
def test_a_repair_of_one_count_alone_tells_the_widget(db, campaign, column):
    """Only the donors (or only the monthly supporters) stored wrong, the money right: the widget is told all the
    same (each repair's months are told, not only those where every kind of figure differed)."""
    gift = monthly(campaign, "sub_a")
    PeriodTally.objects.create(period_id=gift.period_id, created_at=gift.paid_at, **{column: 2})
    changes = Entry.objects.filter(kind=kinds.PERIOD_CHANGED)
    before = list(changes.values_list("pk", flat=True))
    found = verify.periods_verify_batch(period_ids=[gift.period_id])
    assert list(found) == [gift.period_id]
    assert list(changes.exclude(pk__in=before).values_list("period_id", flat=True)) == [gift.period_id]
    assert verify.periods_verify_batch(period_ids=[gift.period_id]) == {}
