"""Payment, refunds and disputes in any delivery order give the same ledger and totals."""

import itertools

import pytest

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation, RecurringMonth, RecurringStream
from tests.stripe_standin import events


def story(pending, *, dispute_outcome):
    pi, ch = events.sid("pi"), events.sid("ch")
    return [
        events.event(
            "checkout.session.completed", events.checkout_session(amount=5000, donation=pending.id, payment_intent=pi)
        ),
        events.event(
            "charge.refunded", events.charge(amount=5000, payment_intent=pi, charge_id=ch, amount_refunded=1000)
        ),
        events.event(
            "charge.refunded", events.charge(amount=5000, payment_intent=pi, charge_id=ch, amount_refunded=1500)
        ),
        events.event("charge.dispute.created", events.dispute(amount=3500, payment_intent=pi, charge_id=ch)),
        events.event(
            "charge.dispute.closed",
            events.dispute(amount=3500, payment_intent=pi, charge_id=ch, status=dispute_outcome),
        ),
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("outcome", "raised", "status"), [("won", 3500, "partially_refunded"), ("lost", 0, "disputed")]
)
def test_it_converges_in_every_order(client, campaign, outcome, raised, status):
    results = set()
    orders = list(itertools.permutations(range(5)))
    # All 120 orders for a lost dispute; every third for a won one keeps the suite quick.
    for order in orders if outcome == "lost" else orders[::3]:
        RecurringStream.objects.all().delete()
        RecurringMonth.objects.all().delete()
        Donation.objects.all().delete()
        Period.objects.all().delete()
        from fundraising.payments.models import PaymentState

        PaymentState.objects.all().delete()
        pending = Donation.objects.create(campaign=campaign, amount=5000, currency="usd")
        steps = story(pending, dispute_outcome=outcome)
        for index in order:
            assert events.post_event(client, steps[index]).status_code == 200
        donation = Donation.objects.get()
        results.add((donation.status, donation.amount_refunded, donation.dispute_status, Period.objects.get().raised))
    assert results == {(status, 1500, outcome, raised)}


def test_it_applies_a_refund_that_came_before_its_payment_link_payment(client, campaign):
    pi = events.sid("pi")
    events.post_event(client, events.event("charge.refunded", events.charge(amount=800, payment_intent=pi,
                                                                             amount_refunded=800)))  # fmt: skip
    assert not Donation.objects.exists()
    session = events.checkout_session(amount=800, payment_intent=pi)  # Payment Link: campaign, no donation id
    events.post_event(client, events.event("checkout.session.completed", session))
    donation = Donation.objects.get()
    assert (donation.status, donation.amount_refunded) == ("refunded", 800)
    assert Period.objects.get().raised == 0
