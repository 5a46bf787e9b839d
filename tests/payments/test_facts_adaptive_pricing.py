"""Adaptive Pricing: the gift counts in the campaign's currency (500 USD) while the donor paid 460 EUR; its
refunds and disputes, in EUR, convert at the payment's own ratio, so a full refund nets exactly 0 and a
partial one proportionally (round half to even on the minor unit), in every delivery order."""

import pytest

from fundraising.ledger.services import donation_net
from fundraising.payments.facts import amount_convert
from fundraising.payments.models import UnmatchedPayment
from tests.stripe_standin import events, objects


def paid(pi, ch):
    session = objects.session(amount=460, currency="eur", conversion=(500, "usd"), payment_intent=pi)
    intent = objects.stripe_object("payment_intent", id=pi, amount=460, amount_received=460, currency="eur",
                                   metadata={"fundraising_campaign": "lights"}, status="succeeded",
                                   latest_charge=ch)  # fmt: skip
    return [objects.at(objects.BASIL, "checkout.session.completed", session),
            objects.at(objects.BASIL, "payment_intent.succeeded", intent)]  # fmt: skip


@pytest.mark.parametrize(("refunded", "net", "status"), [(460, 0, "refunded"), (230, 250, "partially_refunded"),
                                                          (100, 391, "partially_refunded")])  # fmt: skip
def test_it_converts_refunds_at_the_payments_own_ratio(client, campaign, refunded, net, status):
    def steps():
        pi, ch = events.sid("pi"), events.sid("ch")
        refund = objects.refund(amount=refunded, charge_id=ch, payment_intent=pi, currency="eur")
        charge = objects.charge(amount=460, currency="eur", payment_intent=pi, amount_refunded=refunded, charge_id=ch)
        return [*paid(pi, ch), objects.at(objects.BASIL, "charge.refunded", charge),
                objects.at(objects.BASIL, "refund.created", refund)]  # fmt: skip

    results = events.deliver_in_orders(client, steps, orders=events.all_orders(4, every=5))
    assert len(set(map(repr, results.values()))) == 1
    rows, periods = next(iter(results.values()))
    (amount, _, row_status, amount_refunded, *_), = rows
    assert (amount, row_status, amount - amount_refunded) == (500, status, net)
    assert periods == [(net, 1 if net else 0)]
    assert not UnmatchedPayment.objects.exists()  # the EUR intent is the gift its session counted


@pytest.mark.parametrize(("outcome", "net"), [("lost", 0), ("won", 500)])
def test_it_converts_disputes_at_the_payments_own_ratio(client, campaign, outcome, net):
    def steps():
        pi, ch = events.sid("pi"), events.sid("ch")
        opened = objects.dispute(amount=460, charge_id=ch, payment_intent=pi, currency="eur")
        closed = dict(opened, status=outcome)
        return [*paid(pi, ch), objects.at(objects.BASIL, "charge.dispute.created", opened),
                objects.at(objects.BASIL, "charge.dispute.closed", closed)]  # fmt: skip

    results = events.deliver_in_orders(client, steps, orders=events.all_orders(4, every=7))
    assert len(set(map(repr, results.values()))) == 1
    from fundraising.ledger.models import Donation

    donation = Donation.objects.get()
    assert (donation.amount_disputed, donation_net(donation)) == (500, net)


def test_it_rounds_half_to_even_on_the_minor_unit():
    # 500 USD charged as 400 EUR: 1.25 USD per EUR cent.
    assert [amount_convert(cents, gift=500, charged=400) for cents in (1, 2, 6, 10, 399, 400)] == [
        1, 2, 8, 12, 499, 500,
    ]  # fmt: skip
    # 1.25 -> 1, 2.5 -> 2, 7.5 -> 8, 12.5 -> 12 (half to even); 498.75 -> 499; all that was charged -> all the gift.
    assert amount_convert(459, gift=500, charged=460) == 499
    assert amount_convert(460, gift=500, charged=460) == 500
