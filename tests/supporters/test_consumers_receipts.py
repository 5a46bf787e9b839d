"""Receipts: exactly one e-mail per counted payment, under duplicated and reordered events; none for
pending, failed or expired payments; a refund sends a short notice."""

import itertools
import time

import pytest
from django.core import mail

from fundraising.ledger.models import Donation
from fundraising.supporters.models import Notice
from tests.stripe_standin import events


def monthly_first(pending, sub):
    session = events.checkout_session(amount=1500, donation=pending.id, mode="subscription", subscription=sub,
                                      email="monthly@example.com")  # fmt: skip
    invoice = events.invoice(amount=1500, donation=pending.id, subscription=sub, billing_reason="subscription_create",
                             paid_at=int(time.time()))  # fmt: skip
    return [events.event("checkout.session.completed", session), events.event("invoice.paid", invoice)]


def test_it_sends_one_receipt_per_payment_in_any_order(client, campaign):
    for order in itertools.permutations(range(2)):
        mail.outbox.clear()
        pending = Donation.objects.create(campaign=campaign, amount=1500, currency="usd", kind="monthly")
        steps = monthly_first(pending, events.sid("sub"))
        for index in [*order, *order]:  # each delivered twice
            events.post_event(client, dict(steps[index], id=events.sid("evt")))
        assert len(mail.outbox) == 1, order
        message = mail.outbox[0]
        assert message.to == ["monthly@example.com"]
        assert "15 $" in message.subject and "15 $" in message.body
        assert "/c/lights/manage/" in message.body
        html = message.alternatives[0][0]
        assert "15 $" in html and "/c/lights/manage/" in html
        assert Notice.objects.filter(donation=pending, kind="receipt", status="sent").count() == 1


def test_it_sends_a_receipt_for_every_renewal(client, campaign):
    pending = Donation.objects.create(campaign=campaign, amount=1500, currency="usd", kind="monthly")
    sub = events.sid("sub")
    for evt in monthly_first(pending, sub):
        events.post_event(client, evt)
    renewal = events.invoice(amount=1500, subscription=sub, email="monthly@example.com")
    events.post_event(client, events.event("invoice.paid", renewal))
    events.post_event(client, events.event("invoice.paid", renewal))
    assert len(mail.outbox) == 2
    assert Notice.objects.filter(kind="receipt").count() == 2


def test_it_sends_nothing_for_unpaid_gifts(client, campaign):
    pending = Donation.objects.create(campaign=campaign, amount=2500, currency="usd", donor_email="x@example.com")
    expired = events.checkout_session(amount=2500, donation=pending.id, payment_status="unpaid")
    events.post_event(client, events.event("checkout.session.expired", expired))
    async_pending = events.checkout_session(amount=2500, payment_status="unpaid")
    events.post_event(client, events.event("checkout.session.completed", async_pending))
    assert Donation.objects.get(pk=pending.pk).status == "expired"
    assert mail.outbox == []
    assert not Notice.objects.exists()


def test_it_sends_a_refund_notice_once_per_refunded_total(client, campaign):
    session = events.checkout_session(amount=2500, email="once@example.com")
    events.post_event(client, events.event("checkout.session.completed", session))
    pi = session["payment_intent"]
    partial = events.charge(amount=2500, payment_intent=pi, amount_refunded=1000)
    events.post_event(client, events.event("charge.refunded", partial))
    events.post_event(client, events.event("charge.refunded", partial))
    full = dict(partial, amount_refunded=2500, refunded=True)
    events.post_event(client, events.event("charge.refunded", full))
    kinds = [m.subject.split(":")[0] for m in mail.outbox]
    assert kinds == ["Receipt", "Refund", "Refund"]
    assert "10 $" in mail.outbox[1].body and "25 $" in mail.outbox[2].body


def test_it_sends_one_receipt_when_two_transactions_both_announce_it(campaign):
    """The thanks page and the webhook may each see the gift become counted; the database keeps one."""
    from django.db import IntegrityError, transaction
    from django.test import TestCase

    from fundraising.journal.models import Entry
    from fundraising.supporters.consumers import receipts_send
    from tests.factories import DonationFactory

    donation = DonationFactory(campaign=campaign, donor_email="twice@example.com")
    entry = Entry(kind="donation.counted", key=f"donation.counted:{donation.pk}", donation_id=donation.pk)
    with TestCase.captureOnCommitCallbacks(execute=True):
        receipts_send([entry])
        receipts_send([entry])
    assert len(mail.outbox) == 1
    with transaction.atomic(), pytest.raises(IntegrityError):  # not luck: a constraint
        Notice.objects.create(key="another-key", kind="receipt", campaign=campaign, donation=donation,
                              email="twice@example.com")  # fmt: skip
