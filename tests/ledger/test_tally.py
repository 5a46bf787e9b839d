"""Every stored figure derives from the ledger: after any sequence of payments, refunds, disputes, moves
between months and erasures (through the real services), each period's running figures equal a full sum."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundraising.campaigns.models import Period
from fundraising.ledger.erasure import donor_erase
from fundraising.ledger.models import Donation, PeriodDonorNet, PeriodTally, RecurringMonth, RecurringStream
from fundraising.ledger.services import COUNTED, donation_net, ledger_totals, period_recompute
from fundraising.ledger.tally import period_figures_sum, period_tally_sum
from fundraising.ledger.verify import tallies_rebuild
from fundraising.payments import facts, recording
from fundraising.payments.models import PaymentState
from tests.ledger.breakdown_check import assert_breakdown_matches_the_ledger
from tests.stripe_standin import events

MONTHS = [datetime.datetime(2026, month, 15, 12, tzinfo=datetime.UTC) for month in (3, 4, 5)]
EMAILS = ["ada@example.com", "ADA@example.com", "grace@example.com", ""]
# Few payments and amounts, so steps often meet the same gift and take all of it back.
PAYMENTS = 3
amounts = st.sampled_from([500, 1000, 2500])
taken_back = st.sampled_from([0, 500, 1000, 2500, 3000])

payment = st.tuples(st.just("pay"), st.integers(0, PAYMENTS - 1), amounts, st.integers(0, 2), st.integers(0, 3))
refund = st.tuples(st.just("refund"), st.integers(0, PAYMENTS - 1), taken_back)
dispute = st.tuples(
    st.just("dispute"), st.integers(0, PAYMENTS - 1), taken_back, st.sampled_from(["open", "won", "lost"])
)
erase = st.tuples(st.just("erase"), st.integers(0, 2))
steps = st.lists(st.one_of(payment, refund, dispute, erase), min_size=1, max_size=14)


def apply(step, campaign):
    kind, *args = step
    with transaction.atomic():
        if kind == "pay":  # a second payment of the same intent at an earlier time moves the gift a month back
            index, amount, month, email = args
            recording.payment_record(
                metadata={"fundraising_campaign": campaign.slug},
                amount=amount,
                currency="usd",
                paid_at=MONTHS[month],
                payment_intent=f"pi_{index}",
                email=EMAILS[email],
            )
        elif kind == "refund":
            index, amount = args
            charge = events.charge(amount=amount, payment_intent=f"pi_{index}", charge_id=f"ch_{index}")
            facts.charge_refund_record(charge=dict(charge, amount_refunded=amount))
        elif kind == "dispute":
            index, amount, status = args
            evidence = events.dispute(amount=amount, payment_intent=f"pi_{index}", charge_id=f"ch_{index}")
            facts.dispute_record(dispute=dict(evidence, status=status), closed=status != "open")
        else:
            donor_erase(organization_id=campaign.organization_id, email=EMAILS[args[0]])


def donor_nets_from_ledger(period_id):
    nets = {}
    for donation in Donation.objects.filter(COUNTED, period_id=period_id).exclude(donor_email=""):
        nets[donation.donor_email] = nets.get(donation.donor_email, 0) + donation_net(donation)
    return {email: net for email, net in nets.items() if net}


def assert_figures_match_the_ledger():
    for period_id in Period.objects.values_list("pk", flat=True):
        assert period_tally_sum(period_id=period_id) == ledger_totals(period_id=period_id)
        stored = dict(PeriodDonorNet.objects.filter(period_id=period_id).values_list("email", "net"))
        assert stored == donor_nets_from_ledger(period_id)
    assert_breakdown_matches_the_ledger()  # the breakdown's money columns (refunds, disputes, moves, erasures)


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_it_keeps_running_figures_equal_to_a_full_sum(campaign, sequence):
    for model in (PeriodTally, PeriodDonorNet, RecurringStream, RecurringMonth, Donation, Period, PaymentState):
        model.objects.all().delete()
    for step in sequence:
        apply(step, campaign)
        assert_figures_match_the_ledger()
    for period_id in Period.objects.values_list("pk", flat=True):  # what the widget shows
        period = period_recompute(period_id=period_id)
        assert (period.raised, period.donors) == ledger_totals(period_id=period_id)
    period_ids = list(Period.objects.values_list("pk", flat=True))
    before = {pk: period_figures_sum(period_id=pk) for pk in period_ids}
    tallies_rebuild(period_ids=period_ids)  # a rebuild from the ledger changes no figure
    assert {pk: period_figures_sum(period_id=pk) for pk in period_ids} == before
