"""PostgreSQL, parallel threads: the same event and different events for one payment, delivered at
once, leave one ledger row and exact totals."""

import functools
import json
import threading

import pytest
from django.test import Client

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.ledger.services import ledger_totals
from fundraising.payments.models import StripeEvent
from tests.locks import held_elsewhere, lock_timeout_short
from tests.races import at_once
from tests.stripe_standin import events

pytestmark = pytest.mark.postgres


def deliver_in_parallel(evts):
    """POST every event from its own thread, all released at once; returns the status codes."""

    def post(evt):
        body = json.dumps(evt)
        response = Client().post(
            "/stripe/webhook/", data=body, content_type="application/json", **events.signed_headers(body)
        )
        return response.status_code

    return at_once([functools.partial(post, evt) for evt in evts])


@pytest.mark.django_db(transaction=True)
def test_it_stores_the_same_event_once(postgres, campaign):
    pending = Donation.objects.create(campaign=campaign, amount=2500, currency="usd")
    evt = events.event("checkout.session.completed", events.checkout_session(amount=2500, donation=pending.id))
    codes = deliver_in_parallel([evt] * 8)
    assert codes == [200] * 8
    assert StripeEvent.objects.count() == 1
    assert Donation.objects.count() == 1
    period = Period.objects.get()
    assert (period.raised, period.donors) == (2500, 1) == ledger_totals(period_id=period.pk)


@pytest.mark.django_db(transaction=True)
def test_it_serialises_different_events_for_one_payment(postgres, campaign):
    for round_ in range(3):  # a few rounds: races show up only sometimes
        pi, ch = events.sid("pi"), events.sid("ch")
        session = events.checkout_session(
            amount=5000, payment_intent=pi, email=f"donor{round_}@example.com"
        )  # Payment Link: no pending row to claim
        intent = {"id": pi, "object": "payment_intent", "amount_received": 5000, "currency": "usd",
                  "metadata": {"fundraising_campaign": "lights"}}  # fmt: skip
        evts = [
            events.event("checkout.session.completed", session),
            events.event("payment_intent.succeeded", intent),
            events.event(
                "charge.refunded", events.charge(amount=5000, payment_intent=pi, charge_id=ch, amount_refunded=1000)
            ),  # fmt: skip
            events.event(
                "charge.refunded", events.charge(amount=5000, payment_intent=pi, charge_id=ch, amount_refunded=2000)
            ),  # fmt: skip
            events.event("charge.dispute.created", events.dispute(amount=3000, payment_intent=pi, charge_id=ch)),
            events.event(
                "charge.dispute.closed", events.dispute(amount=3000, payment_intent=pi, charge_id=ch, status="won")
            ),  # fmt: skip
        ]
        codes = deliver_in_parallel(evts + evts)
        assert codes == [200] * 12
        # A task that lost a race (deadlock, unique violation) was retried until it applied.
        assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0
        donation = Donation.objects.get(stripe_payment_intent_id=pi)
        assert (donation.amount_refunded, donation.dispute_status, donation.status) == (
            2000, "won", "partially_refunded",
        )  # fmt: skip
    period = Period.objects.get()
    assert Donation.objects.count() == 3
    assert (period.raised, period.donors) == (9000, 3) == ledger_totals(period_id=period.pk)


@pytest.mark.django_db(transaction=True)
def test_it_never_leaves_a_payment_link_invoice_waiting_for_a_session_applied_at_once(postgres, campaign):
    """The session links the subscription in one transaction while the invoice is applied in another: the
    invoice must see the link once the session commits, never start waiting for it."""
    import time

    from django.db import transaction

    from fundraising.payments import recording
    from tests.stripe_standin import objects

    sub = events.sid("sub")
    session = objects.session(amount=1500, mode="subscription", subscription=sub)
    invoice = objects.invoice(amount=1500, subscription=sub, billing_reason="subscription_create",
                              paid_at=int(time.time()))  # fmt: skip
    linked = threading.Event()

    def link():
        with transaction.atomic():
            recording.checkout_session_fulfil(session=session)
            linked.set()
            time.sleep(0.5)  # the invoice is being applied meanwhile

    def pay():
        linked.wait(timeout=10)
        with transaction.atomic():
            recording.invoice_paid_record(invoice=invoice, paid_at=None)

    at_once([link, pay], timeout=30)
    assert Donation.objects.filter(stripe_invoice_id=invoice["id"], paid_at__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_a_payment_waits_on_no_unrelated_ledger_row(postgres, campaign):
    """While another transaction holds an unrelated ledger row (an owner correcting an offline gift, another
    payment being applied), a charge made without a PaymentIntent and a Payment Link's session are applied
    at once: each payment locks only rows that could be its own, never every row lacking an id."""
    from django.db import transaction
    from django.utils import timezone

    from fundraising.payments import recording
    from tests.factories import DonationFactory
    from tests.stripe_standin import objects

    other = DonationFactory(campaign=campaign, amount=400)
    assert (other.stripe_payment_intent_id, other.stripe_checkout_session_id) == (None, None)
    assert other.stripe_charge_id == ""
    with held_elsewhere(lambda: Donation.objects.select_for_update().get(pk=other.pk)):
        metadata = {"fundraising_campaign": "lights"}
        with transaction.atomic():
            lock_timeout_short()
            recording.payment_record(metadata=metadata, amount=900, currency="usd", paid_at=timezone.now(),
                                     charge_id=events.sid("ch"))  # fmt: skip
        with transaction.atomic():
            lock_timeout_short()
            recording.checkout_session_fulfil(session=objects.session(amount=700))
    assert sorted(Donation.objects.values_list("amount", flat=True)) == [400, 700, 900]
