"""An inquiry (a dispute in its `warning_*` states) holds the gift back while open; closed without a
chargeback (`warning_closed`) the money is the campaign's again, in any delivery order."""

import json

import pytest

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from tests.stripe_standin import events


def inquiry(pi, ch, status):
    return events.dispute(amount=3000, payment_intent=pi, charge_id=ch, status=status)


@pytest.mark.parametrize("order", [(0, 1, 2), (0, 2, 1), (2, 1, 0)])
def test_it_counts_the_gift_again_when_an_inquiry_closes(client, campaign, widget_root, order):
    pi, ch = events.sid("pi"), events.sid("ch")
    story = [
        events.event("checkout.session.completed", events.checkout_session(amount=3000, payment_intent=pi)),
        events.event("charge.dispute.created", inquiry(pi, ch, "warning_needs_response")),
        events.event("charge.dispute.closed", inquiry(pi, ch, "warning_closed")),
    ]
    for index in order:
        assert events.post_event(client, story[index]).status_code == 200

    donation = Donation.objects.get()
    assert (donation.status, donation.dispute_status) == ("succeeded", "won")
    assert Period.objects.get().raised == 3000
    widget = json.loads(client.get("/w/lights.json").content)
    assert (widget["raised"], widget["donors"]) == (3000, 1)


def test_it_holds_the_gift_back_while_the_inquiry_is_open(client, campaign, widget_root):
    pi, ch = events.sid("pi"), events.sid("ch")
    events.post_event(
        client, events.event("checkout.session.completed", events.checkout_session(amount=3000, payment_intent=pi))
    )
    events.post_event(client, events.event("charge.dispute.created", inquiry(pi, ch, "warning_needs_response")))
    assert Donation.objects.get().status == "disputed"
    assert json.loads(client.get("/w/lights.json").content)["raised"] == 0


def test_it_finds_the_payment_of_a_dispute_that_names_only_its_charge(client, campaign):
    pi, ch = events.sid("pi"), events.sid("ch")
    events.post_event(
        client, events.event("checkout.session.completed", events.checkout_session(amount=3000, payment_intent=pi))
    )
    refund = events.charge(amount=3000, payment_intent=pi, charge_id=ch, amount_refunded=1000)
    events.post_event(client, events.event("charge.refunded", refund))
    events.post_event(client, events.event("charge.dispute.created", inquiry(None, ch, "needs_response")))
    assert (Donation.objects.get().status, Period.objects.get().raised) == ("disputed", 0)


def test_it_holds_back_only_the_disputed_part_of_a_gift(client, campaign):
    pi, ch = events.sid("pi"), events.sid("ch")
    events.post_event(
        client, events.event("checkout.session.completed", events.checkout_session(amount=3000, payment_intent=pi))
    )
    partial = events.dispute(amount=1000, payment_intent=pi, charge_id=ch, status="needs_response")
    events.post_event(client, events.event("charge.dispute.created", partial))
    assert (Donation.objects.get().status, Period.objects.get().raised) == ("disputed", 2000)


def test_it_keeps_holding_the_gift_when_a_closed_dispute_has_a_status_it_does_not_know(client, campaign, widget_root):
    """Stripe may add closed statuses; until the app knows one, the money stays held back, not restored."""
    pi, ch = events.sid("pi"), events.sid("ch")
    events.post_event(
        client, events.event("checkout.session.completed", events.checkout_session(amount=3000, payment_intent=pi))
    )
    events.post_event(client, events.event("charge.dispute.closed", inquiry(pi, ch, "prevented")))
    donation = Donation.objects.get()
    assert (donation.status, donation.dispute_status, donation.amount_disputed) == ("disputed", "open", 3000)
    assert json.loads(client.get("/w/lights.json").content)["raised"] == 0


def test_it_holds_nothing_back_for_a_dispute_without_an_amount(client, campaign, widget_root):
    pi, ch = events.sid("pi"), events.sid("ch")
    events.post_event(
        client, events.event("checkout.session.completed", events.checkout_session(amount=3000, payment_intent=pi))
    )
    broken = inquiry(pi, ch, "needs_response")
    broken["amount"] = "3000"
    assert events.post_event(client, events.event("charge.dispute.created", broken)).status_code == 200
    donation = Donation.objects.get()
    assert (donation.dispute_status, donation.amount_disputed) == ("open", 0)
    assert Period.objects.get().raised == 3000
