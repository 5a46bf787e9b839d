"""The smallest refunds count: one minor unit refunded makes a gift partially refunded, short by one."""

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from tests.stripe_standin import events


def test_it_counts_a_refund_of_one_minor_unit(client, campaign):
    pi, ch = events.sid("pi"), events.sid("ch")
    events.post_event(
        client, events.event("checkout.session.completed", events.checkout_session(amount=3000, payment_intent=pi))
    )
    refund = events.charge(amount=3000, payment_intent=pi, charge_id=ch, amount_refunded=1)
    events.post_event(client, events.event("charge.refunded", refund))
    assert Donation.objects.get().status == "partially_refunded"
    assert Period.objects.get().raised == 2999
