"""The monthly supporters' running figures equal a full count: after any sequence of monthly gifts (Stripe
subscriptions, offline standing orders with or without an e-mail), refunds, disputes and offline reversals,
each period's figure is what the breakdown counts, and a supporters goal reads it on a flat refresh."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundraising.campaigns.models import GoalKind, Period
from fundraising.ledger import offline
from fundraising.ledger.breakdown import period_streams
from fundraising.ledger.models import (
    Donation,
    PeriodDonorNet,
    PeriodStreamNet,
    PeriodTally,
    RecurringMonth,
    RecurringStream,
)
from fundraising.ledger.services import donation_net_expression, donation_settle, period_recompute
from fundraising.ledger.tally import period_streams_sum
from fundraising.ledger.verify import periods_verify_batch
from tests.factories import DonationFactory
from tests.ledger.breakdown_check import assert_breakdown_matches_the_ledger, running_breakdown

NOW = datetime.datetime(2026, 5, 20, 12, tzinfo=datetime.UTC)
DAYS = [datetime.date(2026, 4, 10), datetime.date(2026, 5, 3)]
SUBSCRIPTIONS = ["sub_a", "sub_b", ""]
EMAILS = ["ada@example.com", "grace@example.com", ""]

stripe_gift = st.tuples(
    st.just("stripe"), st.sampled_from(SUBSCRIPTIONS), st.sampled_from(EMAILS), st.sampled_from([500, 1000]),
    st.integers(0, 1), st.sampled_from(["monthly", "one_time"]),
)  # fmt: skip
offline_gift = st.tuples(st.just("offline"), st.sampled_from(EMAILS), st.sampled_from([700, 900]), st.integers(0, 1))
refund = st.tuples(st.just("refund"), st.integers(0, 20), st.sampled_from([0, 250, 500, 1000]))
dispute = st.tuples(st.just("dispute"), st.integers(0, 20), st.sampled_from(["open", "won", "lost"]))
reverse = st.tuples(st.just("reverse"), st.integers(0, 20))
steps = st.lists(st.one_of(stripe_gift, offline_gift, refund, dispute, reverse), min_size=1, max_size=14)


def noon(day):
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def pick(model_filter, index):
    rows = list(Donation.objects.filter(model_filter).order_by("created_at", "pk"))
    return rows[index % len(rows)] if rows else None


def apply(step, campaign, user):
    kind, *args = step
    with transaction.atomic():
        if kind == "stripe":
            subscription, email, amount, day, gift_kind = args
            subscription = subscription if gift_kind == "monthly" else ""
            DonationFactory(campaign=campaign, amount=amount, paid_at=noon(DAYS[day]), donor_email=email,
                            kind=gift_kind, stripe_subscription_id=subscription)  # fmt: skip
        elif kind == "offline":
            email, amount, day = args
            offline.offline_gift_record(campaign=campaign, amount=amount, received_on=DAYS[day], method="cash",
                                        recorded_by=user, email=email, kind=Donation.Kind.MONTHLY)  # fmt: skip
        elif kind in ("refund", "dispute"):
            gift = pick(Q(source="stripe"), args[0])
            if gift is None:
                return
            gift = Donation.objects.select_for_update().get(pk=gift.pk)
            if kind == "refund":
                gift.amount_refunded = min(args[1], gift.amount)
            else:
                gift.dispute_status, gift.amount_disputed = args[1], gift.amount
            donation_settle(donation=gift)
        else:
            gift = pick(Q(source="offline", reverses__isnull=True, reversed_by__isnull=True), args[0])
            if gift is not None:
                offline.offline_gift_reverse(donation=gift, recorded_by=user)


def assert_streams_match_the_ledger():
    for period in Period.objects.select_related("campaign"):
        counted = period_streams(period, donation_net_expression())["monthly_supporters"]
        assert period_streams_sum(period_id=period.pk) == counted
    assert_breakdown_matches_the_ledger()  # the stream nets, each stream's gifts, the new supporters, the money
    for gift in Donation.objects.all():  # the stored state the wall reads
        assert gift.reversed == Donation.objects.filter(reverses=gift).exists()


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_it_keeps_monthly_supporters_equal_to_a_full_count(campaign, alice, sequence):
    with time_machine.travel(NOW, tick=False):
        Donation.objects.filter(reverses__isnull=False).delete()
        for model in (PeriodTally, PeriodStreamNet, PeriodDonorNet, RecurringStream, RecurringMonth, Donation, Period):
            model.objects.all().delete()
        for step in sequence:
            apply(step, campaign, alice)
            assert_streams_match_the_ledger()
        Period.objects.update(goal_kind=GoalKind.SUPPORTERS)
        for period in Period.objects.select_related("campaign"):  # what a supporters goal's widget shows
            counted = period_streams(period, donation_net_expression())["monthly_supporters"]
            assert period_recompute(period_id=period.pk).goal_current == counted
            assert periods_verify_batch(period_ids=[period.pk]) == {}


@pytest.mark.django_db
def test_the_verification_repairs_the_monthly_supporters_and_the_reversed_state(campaign, alice):
    gift = DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_a", amount=800)
    lone = DonationFactory(campaign=campaign, kind="monthly", donor_email="", amount=300)
    assert period_streams_sum(period_id=gift.period_id) == 2
    # Writes that went around the ledger's path: a stream's net lost, the count moved, a state flipped.
    PeriodStreamNet.objects.filter(period_id=gift.period_id).delete()
    PeriodTally.objects.create(period_id=gift.period_id, streams=5, created_at=NOW)
    Donation.objects.filter(pk=lone.pk).update(reversed=True)
    found = periods_verify_batch(period_ids=[gift.period_id])
    assert set(found) == {gift.period_id}
    assert period_streams_sum(period_id=gift.period_id) == 2
    assert set(PeriodStreamNet.objects.values_list("key", "net", "gifts")) == {("sub_a", 800, 1)}
    assert not Donation.objects.get(pk=lone.pk).reversed
    assert periods_verify_batch(period_ids=[gift.period_id]) == {}


@pytest.mark.django_db
def test_a_stream_is_new_in_its_first_month_only_even_when_that_month_nets_nothing(campaign, alice):
    with time_machine.travel(NOW, tick=False):
        april = DonationFactory(campaign=campaign, amount=500, paid_at=noon(DAYS[0]), kind="monthly",
                                stripe_subscription_id="sub_a")  # fmt: skip
        DonationFactory(campaign=campaign, amount=500, paid_at=noon(DAYS[1]), kind="monthly",
                        stripe_subscription_id="sub_a")  # fmt: skip
        april = Donation.objects.select_for_update().get(pk=april.pk)
        april.amount_refunded = 500  # April nets nothing, but sub_a gave there: May is no new supporter
        donation_settle(donation=april)
        offline.offline_gift_record(campaign=campaign, amount=700, received_on=DAYS[0], method="cash",
                                    recorded_by=alice, email="ada@example.com", kind=Donation.Kind.MONTHLY)  # fmt: skip
        offline.offline_gift_record(campaign=campaign, amount=900, received_on=DAYS[1], method="cash",
                                    recorded_by=alice, email="ada@example.com", kind=Donation.Kind.MONTHLY)  # fmt: skip
        assert_breakdown_matches_the_ledger()
        may = Period.objects.get(start=DAYS[1].replace(day=1))
        assert (running_breakdown(may.pk)["monthly_supporters"], running_breakdown(may.pk)["new_monthly"]) == (2, 0)
        first = Donation.objects.get(source="offline", period__start=DAYS[0].replace(day=1))
        offline.offline_gift_reverse(donation=first, recorded_by=alice)  # ada's April gift no longer stands
        assert_breakdown_matches_the_ledger()
        assert running_breakdown(may.pk)["new_monthly"] == 1
