"""Refunds are facts per refund id: refund.created / refund.updated count without charge.refunded, a refund
that fails or is canceled later gives the money back, and every delivery order gives the same totals."""

import pytest

from fundraising.payments.models import Refund, StripeEvent
from tests.stripe_standin import events, objects


def paid(pi, amount=2000):
    session = objects.session(amount=amount, payment_intent=pi)
    return objects.at(objects.BASIL, "checkout.session.completed", session)


def outcome(results):
    assert len(set(map(repr, results.values()))) == 1, results
    rows, periods = next(iter(results.values()))
    ((amount, _, status, refunded, *_),) = rows
    return status, refunded, periods


@pytest.mark.slow
@pytest.mark.parametrize("failure", ["charge.refund.updated", "refund.updated", "refund.failed"])
@pytest.mark.parametrize("status", ["failed", "canceled"])
def test_it_gives_back_a_refund_that_failed_later(client, campaign, failure, status):
    def steps():
        pi, ch = events.sid("pi"), events.sid("ch")
        refund = objects.refund(amount=2000, charge_id=ch, payment_intent=pi, status="pending", refund_id="re_gone")
        charge = objects.charge(amount=2000, payment_intent=pi, amount_refunded=2000, charge_id=ch)
        return [paid(pi), objects.at(objects.BASIL, "charge.refunded", charge),
                objects.at(objects.BASIL, "refund.created", refund),
                objects.at(objects.BASIL, failure, dict(refund, status=status))]  # fmt: skip

    results = events.deliver_in_orders(client, steps, orders=events.all_orders(4, every=7))
    assert outcome(results) == ("succeeded", 0, [(2000, 1)])
    assert Refund.objects.get().status == status


def test_it_counts_a_refund_without_charge_refunded(client, campaign):
    def steps():
        pi, ch = events.sid("pi"), events.sid("ch")
        refund = objects.refund(amount=500, charge_id=ch, payment_intent=pi, status="pending", refund_id="re_alone")
        return [paid(pi), objects.at(objects.BASIL, "refund.created", refund),
                objects.at(objects.BASIL, "refund.updated", dict(refund, status="succeeded"))]  # fmt: skip

    results = events.deliver_in_orders(client, steps, orders=events.all_orders(3))
    assert outcome(results) == ("partially_refunded", 500, [(1500, 1)])


def test_it_keeps_the_refunds_a_legacy_charge_embeds(client, campaign):
    """Before 2022-11-15 charge.refunded embedded its refunds; one of them failing later leaves the other."""

    def steps():
        pi, ch = events.sid("pi"), events.sid("ch")
        first = objects.refund(amount=500, charge_id=ch, payment_intent=pi, refund_id="re_first")
        second = objects.refund(amount=700, charge_id=ch, payment_intent=pi, refund_id="re_second")
        charge = objects.charge(amount=2000, payment_intent=pi, amount_refunded=1200, charge_id=ch,
                                refunds=[second, first])  # fmt: skip
        return [paid(pi), objects.at(objects.LEGACY_CHARGE, "charge.refunded", charge),
                objects.at(objects.LEGACY_CHARGE, "charge.refund.updated", dict(first, status="failed"))]  # fmt: skip

    results = events.deliver_in_orders(client, steps, orders=events.all_orders(3))
    assert outcome(results) == ("partially_refunded", 700, [(1300, 1)])


def test_it_counts_a_refund_of_a_charge_made_without_a_payment_intent(client, campaign):
    """A refund.* event of a charge from before PaymentIntents names only the charge."""

    def steps():
        ch = events.sid("ch")
        charge = objects.charge(amount=2500, charge_id=ch, metadata={"fundraising_campaign": "lights"})
        refund = objects.refund(amount=1000, charge_id=ch)
        return [objects.at(objects.PRE_INTENT, "charge.succeeded", charge),
                objects.at(objects.PRE_INTENT, "refund.created", refund)]  # fmt: skip

    results = events.deliver_in_orders(client, steps)
    assert outcome(results) == ("partially_refunded", 1000, [(1500, 1)])


def test_it_keeps_a_refund_when_stripe_sends_a_status_it_does_not_know(client, campaign):
    """A status newer than the app (ranked lowest) never moves a refund back, and the event is no error."""
    pi, ch = events.sid("pi"), events.sid("ch")
    refund = objects.refund(amount=800, charge_id=ch, payment_intent=pi, refund_id="re_new_status")
    for evt in (paid(pi), objects.at(objects.BASIL, "refund.created", refund),
                objects.at(objects.BASIL, "refund.updated", dict(refund, status="in_review"))):  # fmt: skip
        assert events.post_event(client, evt).status_code == 200
    assert Refund.objects.get().status == "succeeded"
    rows, periods = events.ledger_picture()
    assert (rows[0][3], periods) == (800, [(1200, 1)])
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()


def test_it_moves_a_refund_first_seen_with_an_unknown_status_forward(client, campaign):
    pi, ch = events.sid("pi"), events.sid("ch")
    refund = objects.refund(amount=800, charge_id=ch, payment_intent=pi, status="in_review", refund_id="re_later")
    for evt in (paid(pi), objects.at(objects.BASIL, "refund.created", refund),
                objects.at(objects.BASIL, "refund.updated", dict(refund, status="pending"))):  # fmt: skip
        assert events.post_event(client, evt).status_code == 200
    assert Refund.objects.get().status == "pending"
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()


def test_it_takes_a_refunds_amount_from_a_later_delivery(client, campaign):
    """A first delivery without the amount; the next (with a status newer than the app) brings it: it counts."""
    pi, ch = events.sid("pi"), events.sid("ch")
    refund = objects.refund(amount=800, charge_id=ch, payment_intent=pi, status="pending", refund_id="re_amount")
    for evt in (paid(pi), objects.at(objects.BASIL, "refund.created", dict(refund, amount=None)),
                objects.at(objects.BASIL, "refund.updated", dict(refund, status="in_review"))):  # fmt: skip
        assert events.post_event(client, evt).status_code == 200
    assert (Refund.objects.get().status, Refund.objects.get().amount) == ("pending", 800)
    rows, periods = events.ledger_picture()
    assert (rows[0][3], periods) == (800, [(1200, 1)])


def test_a_late_amount_never_moves_a_failed_refund_back(client, campaign):
    """The failure arrives first without the amount, the older success brings it: the refund stays failed."""
    pi, ch = events.sid("pi"), events.sid("ch")
    refund = objects.refund(amount=800, charge_id=ch, payment_intent=pi, refund_id="re_failed_first")
    for evt in (paid(pi), objects.at(objects.BASIL, "refund.failed", dict(refund, amount=None, status="failed")),
                objects.at(objects.BASIL, "refund.created", refund)):  # fmt: skip
        assert events.post_event(client, evt).status_code == 200
    assert (Refund.objects.get().status, Refund.objects.get().amount) == ("failed", 800)
    rows, periods = events.ledger_picture()
    assert (rows[0][3], periods) == (0, [(2000, 1)])


def test_it_learns_a_failed_refund_from_the_list_a_legacy_charge_embeds(client, campaign):
    """Before 2022-11-15: 500 refunded, that refund failed (its own event never came), then 300 refunded.
    The second charge.refunded says 300 in total and embeds the failed one: the gift nets 1700, not 1500."""

    def steps():
        pi, ch = events.sid("pi"), events.sid("ch")
        first = objects.refund(amount=500, charge_id=ch, payment_intent=pi, refund_id="re_failed")
        second = objects.refund(amount=300, charge_id=ch, payment_intent=pi, refund_id="re_kept")
        before = objects.charge(amount=2000, payment_intent=pi, amount_refunded=500, charge_id=ch, refunds=[first])
        after = objects.charge(amount=2000, payment_intent=pi, amount_refunded=300, charge_id=ch,
                               refunds=[second, dict(first, status="failed")])  # fmt: skip
        return [paid(pi), objects.at(objects.LEGACY_CHARGE, "charge.refunded", before),
                objects.at(objects.LEGACY_CHARGE, "charge.refunded", after)]  # fmt: skip

    results = events.deliver_in_orders(client, steps, orders=events.all_orders(3))
    assert outcome(results) == ("partially_refunded", 300, [(1700, 1)])


def test_it_adds_up_two_refunds_known_only_from_their_own_events(client, campaign):
    """No charge.refunded (or not yet): 500 and 700 refunded by two refund.* events take 1200, not the last."""

    def steps():
        pi, ch = events.sid("pi"), events.sid("ch")
        first = objects.refund(amount=500, charge_id=ch, payment_intent=pi, status="pending", refund_id="re_one")
        second = objects.refund(amount=700, charge_id=ch, payment_intent=pi, status="pending", refund_id="re_two")
        return [paid(pi), objects.at(objects.BASIL, "refund.created", first),
                objects.at(objects.BASIL, "refund.created", second)]  # fmt: skip

    results = events.deliver_in_orders(client, steps, orders=events.all_orders(3))
    assert outcome(results) == ("partially_refunded", 1200, [(800, 1)])


def test_it_gives_back_two_refunds_that_both_failed(client, campaign):
    """The charge said 1200 refunded; both refunds (500 and 700) failed later: the whole gift counts again."""

    def steps():
        pi, ch = events.sid("pi"), events.sid("ch")
        first = objects.refund(amount=500, charge_id=ch, payment_intent=pi, status="pending", refund_id="re_f1")
        second = objects.refund(amount=700, charge_id=ch, payment_intent=pi, status="pending", refund_id="re_f2")
        charge = objects.charge(amount=2000, payment_intent=pi, amount_refunded=1200, charge_id=ch)
        return [paid(pi), objects.at(objects.BASIL, "charge.refunded", charge),
                objects.at(objects.BASIL, "refund.failed", dict(first, status="failed")),
                objects.at(objects.BASIL, "refund.updated", dict(second, status="canceled"))]  # fmt: skip

    results = events.deliver_in_orders(client, steps, orders=events.all_orders(4, every=5))
    assert outcome(results) == ("succeeded", 0, [(2000, 1)])


@pytest.mark.parametrize("status", ["in_review", ""])
def test_a_refund_in_a_status_it_does_not_know_counts_only_once_stripe_says_money_left(client, campaign, status):
    """A refund first seen with a status newer than the app (or none) is not subtracted on its own word;
    the charge's running total, or the refund reaching pending or succeeded, then counts it."""
    pi, ch = events.sid("pi"), events.sid("ch")
    refund = objects.refund(amount=800, charge_id=ch, payment_intent=pi, status=status, refund_id="re_unknown")
    for evt in (paid(pi), objects.at(objects.BASIL, "refund.created", refund)):
        assert events.post_event(client, evt).status_code == 200
    rows, periods = events.ledger_picture()
    assert (rows[0][2], rows[0][3], periods) == ("succeeded", 0, [(2000, 1)])

    charge = objects.charge(amount=2000, payment_intent=pi, amount_refunded=800, charge_id=ch)
    assert events.post_event(client, objects.at(objects.BASIL, "charge.refunded", charge)).status_code == 200
    rows, periods = events.ledger_picture()
    assert (rows[0][2], rows[0][3], periods) == ("partially_refunded", 800, [(1200, 1)])


def test_it_links_a_refund_to_a_renewal_paid_before_payment_intents_by_its_invoice(client, campaign):
    """API versions before PaymentIntents: the renewal's invoice names only its charge, which the ledger row
    never learns; the refunded charge names the invoice, and that is what finds the gift."""

    def steps():
        ch, sub = events.sid("ch"), events.sid("sub")
        invoice = objects.invoice(amount=1500, subscription=sub, metadata={"fundraising_campaign": "lights"},
                                  legacy=True)  # fmt: skip
        invoice["charge"] = ch
        charge = objects.charge(amount=1500, amount_refunded=1500, charge_id=ch)
        charge["invoice"] = invoice["id"]
        return [objects.at(objects.PRE_INTENT, "invoice.paid", invoice),
                objects.at(objects.PRE_INTENT, "charge.refunded", charge)]  # fmt: skip

    results = events.deliver_in_orders(client, steps)
    assert len(set(map(repr, results.values()))) == 1, results
    rows, periods = next(iter(results.values()))
    assert [row[:4] for row in rows] == [(1500, "monthly", "refunded", 1500)]
    assert periods == [(0, 0)]


def test_refunds_of_two_charges_without_intents_stay_apart(client, campaign):
    """Charges made before PaymentIntents are known by their own ids: refunding one leaves the other."""
    kept, refunded = events.sid("ch"), events.sid("ch")
    for ch, amount in ((kept, 2500), (refunded, 1000)):
        charge = objects.charge(amount=amount, charge_id=ch, metadata={"fundraising_campaign": "lights"})
        assert events.post_event(client, objects.at(objects.PRE_INTENT, "charge.succeeded", charge)).status_code == 200
    refund = objects.refund(amount=1000, charge_id=refunded)
    assert events.post_event(client, objects.at(objects.PRE_INTENT, "refund.created", refund)).status_code == 200
    rows, periods = events.ledger_picture()
    assert [(row[0], row[2], row[3]) for row in rows] == [(1000, "refunded", 1000), (2500, "succeeded", 0)]
    assert periods == [(2500, 1)]


def test_a_refund_tells_the_ledger_row_its_charge(client, campaign):
    """What the admin, the export and reconciliation look a gift up by: its intent, and once a refund names
    it, its charge."""
    from fundraising.ledger.models import Donation

    pi, ch = events.sid("pi"), events.sid("ch")
    charge = objects.charge(amount=2000, payment_intent=pi, amount_refunded=500, charge_id=ch)
    for evt in (paid(pi), objects.at(objects.BASIL, "charge.refunded", charge)):
        assert events.post_event(client, evt).status_code == 200
    assert Donation.objects.values_list("stripe_payment_intent_id", "stripe_charge_id").get() == (pi, ch)


def test_a_charge_made_before_payment_intents_keeps_no_intent_id(client, campaign):
    """Its facts are keyed by the charge: that id is never written where an intent id belongs."""
    from fundraising.ledger.models import Donation

    ch = events.sid("ch")
    charge = objects.charge(amount=2500, charge_id=ch, metadata={"fundraising_campaign": "lights"})
    refund = objects.refund(amount=500, charge_id=ch)
    for evt in (objects.at(objects.PRE_INTENT, "charge.succeeded", charge),
                objects.at(objects.PRE_INTENT, "refund.created", refund)):  # fmt: skip
        assert events.post_event(client, evt).status_code == 200
    assert Donation.objects.values_list("stripe_payment_intent_id", "stripe_charge_id", "amount_refunded").get() == (
        None,
        ch,
        500,
    )
