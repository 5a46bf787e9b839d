"""Card fees covers keep every figure exact: after any sequence of covered payments, refunds, disputes and changes
of the campaign's choice, the running figures equal a full sum, and the breakdown's covers split `raised` exactly
into the gifts and the covers (docs/owners.md#cover-the-fees)."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation, PeriodDonorNet, PeriodTally, RecurringMonth, RecurringStream
from fundraising.ledger.services import ledger_totals, period_breakdown_store
from fundraising.ledger.tally import period_figures_sum, period_tally_sum
from fundraising.ledger.verify import periods_verify_batch, tallies_rebuild
from fundraising.payments import facts, recording
from fundraising.payments.models import PaymentState
from tests.ledger.breakdown_check import assert_breakdown_matches_the_ledger
from tests.stripe_standin import events

PAID = datetime.datetime(2026, 4, 15, 12, tzinfo=datetime.UTC)
PAYMENTS = 3

pay = st.tuples(
    st.just("pay"), st.integers(0, PAYMENTS - 1), st.sampled_from([500, 2500]), st.sampled_from([0, 45, 106])
)
refund = st.tuples(st.just("refund"), st.integers(0, PAYMENTS - 1), st.sampled_from([0, 100, 500, 2520, 2606]))
dispute = st.tuples(st.just("dispute"), st.integers(0, PAYMENTS - 1), st.sampled_from([300, 2606]),
                    st.sampled_from(["open", "won", "lost"]))  # fmt: skip
choose = st.tuples(st.just("counts"), st.booleans())
steps = st.lists(st.one_of(pay, refund, dispute, choose), min_size=1, max_size=12)


def apply(step, campaign):
    kind, *args = step
    with transaction.atomic():
        if kind == "counts":
            campaign.fee_cover_counts = args[0]
            campaign.save(update_fields=["fee_cover_counts"])
        elif kind == "pay":
            index, gift, cover = args
            pending, _ = Donation.objects.get_or_create(
                stripe_checkout_session_id=f"cs_{index}",
                defaults={"campaign": campaign, "amount": gift + cover, "fee_cover": cover, "currency": "usd"},
            )
            recording.payment_record(
                metadata={"fundraising_campaign": campaign.slug, "fundraising_donation": str(pending.pk)},
                amount=pending.amount, currency="usd", paid_at=PAID, payment_intent=f"pi_{index}",
                session_id=f"cs_{index}", email=f"donor{index}@example.com",
            )  # fmt: skip
        elif kind == "refund":
            index, amount = args
            charge = events.charge(amount=amount, payment_intent=f"pi_{index}", charge_id=f"ch_{index}")
            facts.charge_refund_record(charge=dict(charge, amount_refunded=amount))
        else:
            index, amount, status = args
            evidence = events.dispute(amount=amount, payment_intent=f"pi_{index}", charge_id=f"ch_{index}")
            facts.dispute_record(dispute=dict(evidence, status=status), closed=status != "open")


def by_hand(donation):
    """What a row gives the goal, and the cover it still holds, from the rule as docs/owners.md states it."""
    if donation.paid_at is None:
        return 0, 0
    taken = donation.amount_refunded + (donation.amount_disputed if donation.dispute_status in ("open", "lost") else 0)
    left = max(donation.amount - taken, 0)  # what the organisation keeps of the charge
    held = min(donation.fee_cover, left)  # the gift goes first, the cover last
    return (left if donation.fee_cover_counted else left - held), held


@pytest.mark.slow
@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_it_keeps_every_figure_exact_with_covers(campaign, sequence):
    for model in (PeriodTally, PeriodDonorNet, RecurringStream, RecurringMonth, Donation, Period, PaymentState):
        model.objects.all().delete()
    for step in sequence:
        apply(step, campaign)
    for period in Period.objects.all():
        rows = list(Donation.objects.filter(period=period))
        raised = sum(by_hand(row)[0] for row in rows)
        held = sum(by_hand(row)[1] for row in rows)
        held_counted = sum(by_hand(row)[1] for row in rows if row.fee_cover_counted)
        assert period_tally_sum(period_id=period.pk)[0] == ledger_totals(period_id=period.pk)[0] == raised
        period_breakdown_store(period_id=period.pk)
        period.refresh_from_db()
        assert (period.fee_covers, period.fee_covers_counted) == (held, held_counted)
        gifts = sum(max(row.gift - row.amount_refunded - (row.amount_disputed if row.dispute_status in ("open", "lost")
                                                           else 0), 0) for row in rows if row.paid_at)  # fmt: skip
        assert raised - held_counted == gifts  # the dashboard's "without covers" is the gifts exactly
    period_ids = list(Period.objects.values_list("pk", flat=True))
    if not period_ids:
        return
    assert periods_verify_batch(period_ids=period_ids) == {}  # the background check finds nothing to repair
    assert_breakdown_matches_the_ledger()
    before = {pk: period_figures_sum(period_id=pk) for pk in period_ids}  # the breakdown's too
    tallies_rebuild(period_ids=period_ids)
    assert {pk: period_figures_sum(period_id=pk) for pk in period_ids} == before


def test_a_change_of_choice_leaves_a_counted_gift_as_it_was(campaign):
    apply(("pay", 0, 2500, 106), campaign)
    apply(("counts", True), campaign)
    apply(("pay", 1, 2500, 106), campaign)
    period = Period.objects.get()
    assert period_tally_sum(period_id=period.pk)[0] == 2500 + 2606
    counted = Donation.objects.order_by("stripe_checkout_session_id").values_list("fee_cover_counted", flat=True)
    assert list(counted) == [False, True]
