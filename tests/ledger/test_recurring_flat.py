"""The open month's run-rate from its running figures (fundraising/ledger/recurring.py) equals the full read
(breakdown.period_run_rate) after any sequence of monthly and yearly gifts (Stripe subscriptions, offline standing
orders), back-dated gifts, card fees covers counted or not, refunds, offline reversals, subscription ends (past
and future), erasures (a stream's key changes), pending gifts paid, payments moved earlier and the clock moving
on across months; the verification finds nothing, and a rebuild changes nothing."""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundraising.campaigns.models import GoalKind, Period
from fundraising.campaigns.services import period_for
from fundraising.ledger import offline, tally
from fundraising.ledger.breakdown import period_run_rate, periods_breakdown
from fundraising.ledger.erasure import donor_erase
from fundraising.ledger.models import (
    Donation,
    PeriodDonorNet,
    PeriodStreamNet,
    PeriodTally,
    RecurringMonth,
    RecurringStream,
)
from fundraising.ledger.recurring import recurring_differences, recurring_rebuild, run_rate_now
from fundraising.ledger.services import (
    donation_net_expression,
    donation_settle,
    period_breakdown_store,
    period_recompute,
)
from fundraising.ledger.verify import periods_verify_batch
from fundraising.payments.recording import subscription_end_record
from tests.factories import CampaignFactory, DonationFactory
from tests.ledger.breakdown_check import assert_breakdown_matches_the_ledger

START = datetime.datetime(2026, 1, 30, 22, 30, tzinfo=datetime.UTC)  # the last evening of January in Paris
SUBSCRIPTIONS = ["sub_a", "sub_b", "sub_c"]
EMAILS = ["ada@example.com", ""]

stripe_gift = st.tuples(
    st.just("stripe"), st.sampled_from(SUBSCRIPTIONS), st.sampled_from(["monthly", "yearly"]),
    st.sampled_from([500, 1200, 1201]), st.sampled_from([0, 100]), st.booleans(),
    st.integers(0, 70) | st.integers(330, 400),  # days ago: this month and last, or about a year back
)  # fmt: skip
offline_gift = st.tuples(st.just("offline"), st.sampled_from(EMAILS), st.sampled_from([700, 900]), st.integers(0, 70))
refund = st.tuples(st.just("refund"), st.integers(0, 20), st.sampled_from([250, 1, "all"]))
reverse = st.tuples(st.just("reverse"), st.integers(0, 20))
end = st.tuples(st.just("end"), st.sampled_from(SUBSCRIPTIONS), st.integers(-40, 40))
pending = st.tuples(st.just("pending"), st.sampled_from(["ada@example.com", "sub_a@example.com"]))
pay = st.tuples(st.just("pay"), st.integers(0, 20), st.integers(0, 70))  # a pending gift paid, days ago
move = st.tuples(st.just("move"), st.integers(0, 20), st.sampled_from([1, 20, 40]))  # a payment's instant earlier
erase = st.tuples(st.just("erase"), st.sampled_from(["sub_a@example.com", "ada@example.com"]))
later = st.tuples(st.just("later"), st.sampled_from([1, 3, 13, 17, 31, 200, 366]))
steps = st.lists(
    st.one_of(stripe_gift, offline_gift, refund, reverse, end, erase, pending, pay, move, later),
    min_size=1,
    max_size=16,
)


BREAKDOWN_COLUMNS = [*tally.MONEY, "monthly_supporters", "new_monthly", "cancelled_monthly", "recurring"]


def pick(model_filter, index):
    rows = list(Donation.objects.filter(model_filter).order_by("created_at", "pk"))
    return rows[index % len(rows)] if rows else None


def apply(step, campaign, user, clock):
    kind, *args = step
    now = datetime.datetime.now(tz=datetime.UTC)
    with transaction.atomic():
        if kind == "stripe":
            subscription, interval, amount, cover, counted, days_ago = args
            paid_at = now - datetime.timedelta(days=days_ago)  # at one instant, the greater id is the latest
            # A renewal carries its subscription's end, as payments/recording.py _renewal_donation does.
            first = Donation.objects.filter(stripe_subscription_id=subscription).order_by("created_at").first()
            DonationFactory(campaign=campaign, amount=amount, paid_at=paid_at, kind=first.kind if first else interval,
                            fee_cover=cover, fee_cover_counted=counted, stripe_subscription_id=subscription,
                            subscription_ended_at=first.subscription_ended_at if first else None,
                            donor_email=f"{subscription}@example.com")  # fmt: skip
        elif kind == "offline":
            email, amount, days_ago = args
            day = (now - datetime.timedelta(days=days_ago)).astimezone(campaign.tz).date()
            offline.offline_gift_record(campaign=campaign, amount=amount, received_on=day, method="cash",
                                        recorded_by=user, email=email, kind=Donation.Kind.MONTHLY)  # fmt: skip
        elif kind == "refund":
            gift = pick(Q(source="stripe"), args[0])
            if gift is None:
                return
            gift = Donation.objects.select_for_update().get(pk=gift.pk)
            gift.amount_refunded = gift.amount if args[1] == "all" else min(gift.amount, gift.amount_refunded + args[1])
            donation_settle(donation=gift)
        elif kind == "reverse":
            gift = pick(Q(source="offline", reverses__isnull=True, reversed_by__isnull=True), args[0])
            if gift is not None:
                offline.offline_gift_reverse(donation=gift, recorded_by=user)
        elif kind == "end":
            subscription, days = args
            ended_at = int((now + datetime.timedelta(days=days)).timestamp())
            subscription_end_record(subscription={"id": subscription, "ended_at": ended_at}, ended_at=now)
        elif kind == "pending":  # a checkout not paid yet: in no stream (an e-mail's, once paid)
            DonationFactory(campaign=campaign, amount=600, paid_at=None, kind="monthly", donor_email=args[0],
                            status=Donation.Status.PENDING)  # fmt: skip
        elif kind in ("pay", "move"):
            paid = Q(paid_at__isnull=False, source="stripe", kind__in=["monthly", "yearly"])
            gift = pick(Q(paid_at__isnull=True) if kind == "pay" else paid, args[0])
            if gift is None:
                return
            gift = Donation.objects.select_for_update().get(pk=gift.pk)
            old_period_id = gift.period_id
            gift.paid_at = (gift.paid_at or now) - datetime.timedelta(days=args[1])
            gift.period = period_for(campaign=campaign, when=gift.paid_at)
            donation_settle(donation=gift, old_period_id=old_period_id)
        elif kind == "erase":  # the stream's key changes (a subscription's gifts become an e-mail's)
            donor_erase(organization_id=campaign.organization_id, email=args[0])
        else:
            clock.shift(datetime.timedelta(days=args[0]))


def assert_flat_is_the_full_read(campaign):
    now = datetime.datetime.now(tz=datetime.UTC)
    period = Period.objects.select_related("campaign").get(pk=period_for(campaign=campaign, when=now).pk)
    assert run_rate_now(period, now) == period_run_rate(period, now=now)
    assert recurring_differences([campaign.pk]) == []
    assert_breakdown_matches_the_ledger()  # the breakdown's running figures, every month


def assert_stored_breakdown_is_the_full_sum(period_id):
    """The open month's stored breakdown (from its running figures) is every column of the full sum."""
    period_breakdown_store(period_id=period_id)
    stored = Period.objects.filter(pk=period_id).values(*BREAKDOWN_COLUMNS).get()
    assert stored == periods_breakdown(period_ids=[period_id], net=donation_net_expression())[period_id]


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_the_flat_run_rate_is_the_full_read(organization, alice, sequence):
    with time_machine.travel(START, tick=False) as clock:
        Donation.objects.filter(reverses__isnull=False).delete()
        for model in (PeriodTally, PeriodStreamNet, PeriodDonorNet, RecurringStream, RecurringMonth, Donation, Period):
            model.objects.all().delete()
        campaign = CampaignFactory(organization=organization, time_zone="Europe/Paris", yearly_gifts=True)
        for step in sequence:
            apply(step, campaign, alice, clock)
            assert_flat_is_the_full_read(campaign)
        stored = set(RecurringStream.objects.values_list("interval", "key", "donation_id", "amount", "ended_at"))
        months = set(RecurringMonth.objects.exclude(amount=0).values_list("interval", "month", "amount"))
        recurring_rebuild([campaign.pk])
        assert (
            set(RecurringStream.objects.values_list("interval", "key", "donation_id", "amount", "ended_at")) == stored
        )
        assert set(RecurringMonth.objects.exclude(amount=0).values_list("interval", "month", "amount")) == months
        now = datetime.datetime.now(tz=datetime.UTC)
        period = period_for(campaign=campaign, when=now)
        Period.objects.filter(pk=period.pk).update(goal_kind=GoalKind.RECURRING)
        full = period_run_rate(Period.objects.select_related("campaign").get(pk=period.pk), now=now)
        assert period_recompute(period_id=period.pk).recurring == full
        assert periods_verify_batch(period_ids=[period.pk]) == {}
        assert_stored_breakdown_is_the_full_sum(period.pk)


@pytest.mark.django_db
def test_the_verification_repairs_the_run_rate_figures(campaign):
    gift = DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_a", amount=800)
    DonationFactory(campaign=campaign, kind="yearly", stripe_subscription_id="sub_y", amount=1200)
    period = Period.objects.select_related("campaign").get(pk=gift.period_id)
    now = datetime.datetime.now(tz=datetime.UTC)
    assert run_rate_now(period, now) == period_run_rate(period, now=now) == 800 + 100
    # Writes that went around the ledger's path: a stream's state lost, a month's sum moved.
    RecurringStream.objects.filter(key="sub_a").delete()
    RecurringMonth.objects.filter(interval="yearly").update(amount=5)
    found = periods_verify_batch(period_ids=[period.pk])
    assert set(found) == {period.pk}
    assert run_rate_now(period, now) == 900
    assert periods_verify_batch(period_ids=[period.pk]) == {}


@pytest.mark.django_db(transaction=True)
def test_a_first_payment_that_loses_the_insert_to_another_applies_itself_over_it(campaign, monkeypatch):
    """Two first payments of a stream at once: the second's insert finds the first's row (ON CONFLICT DO
    NOTHING, after the first commits), so it reads that row locked and moves from it, never failing the write."""
    from fundraising.ledger import recurring

    first = DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_a", amount=800)
    locked = recurring._state_locked
    calls = []

    def as_if_not_committed_yet(*args):
        calls.append(args)
        return None if len(calls) == 1 else locked(*args)  # the first read ran before the other's commit

    monkeypatch.setattr(recurring, "_state_locked", as_if_not_committed_yet)
    paid_at = first.paid_at + datetime.timedelta(seconds=1)
    DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_a", amount=300, paid_at=paid_at)
    assert len(calls) == 2
    assert list(RecurringStream.objects.values_list("amount", flat=True)) == [300]
    assert list(RecurringMonth.objects.values_list("amount", flat=True)) == [300]
    assert recurring_differences([campaign.pk]) == []
