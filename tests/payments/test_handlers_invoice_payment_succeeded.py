"""invoice.payment_succeeded counts like invoice.paid (older endpoints listen to it); both arriving, in either
order and twice each, count the invoice once."""

import time

from tests.stripe_standin import events, objects


def test_it_counts_invoice_payment_succeeded_alone(client, campaign):
    sub = events.sid("sub")
    inv = objects.invoice(amount=1200, subscription=sub, metadata={"fundraising_campaign": "lights"},
                          paid_at=int(time.time()), legacy=True)  # fmt: skip
    events.post_event(client, objects.at(objects.LEGACY_INVOICE, "invoice.payment_succeeded", inv))
    rows, periods = events.ledger_picture()
    assert [row[:3] for row in rows] == [(1200, "monthly", "succeeded")]
    assert periods == [(1200, 1)]


def test_it_counts_an_invoice_once_when_both_events_arrive(client, campaign):
    sub = events.sid("sub")
    inv = objects.invoice(amount=1200, subscription=sub, metadata={"fundraising_campaign": "lights"},
                          paid_at=int(time.time()))  # fmt: skip

    def steps():
        return [objects.at(objects.BASIL, "invoice.paid", inv),
                objects.at(objects.BASIL, "invoice.payment_succeeded", inv)]  # fmt: skip

    results = events.deliver_in_orders(client, steps)
    assert set(map(repr, results.values())) == {repr(([(1200, "monthly", "succeeded", 0, 0, "", True)], [(1200, 1)]))}
