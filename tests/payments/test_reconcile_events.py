"""reconcile_stripe processes the events Stripe listed but never delivered, and reports what differs."""

import time

import pytest
from django.core.management import CommandError, call_command

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from fundraising.payments.models import StripeEvent
from tests.stripe_standin import events


@pytest.fixture
def stripe_lists(monkeypatch):
    """Stripe's event list, patched at the one module that talks to Stripe; two events per page."""
    listed = []

    def event_list(*, created_gte, limit=100, starting_after=None):
        newest_first = sorted(listed, key=lambda e: e["created"], reverse=True)
        start = 0 if starting_after is None else [e["id"] for e in newest_first].index(starting_after) + 1
        page = newest_first[start : start + 2]
        return {"object": "list", "data": page, "has_more": start + 2 < len(newest_first)}

    def object_list(*, kind, created_gte, limit=100, starting_after=None):
        """Stripe's objects as they stand: the newest copy of each object the listed events carried."""
        newest = {}
        for evt in sorted(listed, key=lambda e: e["created"]):
            obj = evt["data"]["object"]
            if obj.get("object", "").replace(".", "_") == kind:
                newest[obj["id"]] = obj
        return {"object": "list", "data": list(newest.values()), "has_more": False}

    monkeypatch.setattr(stripe_api, "event_list", event_list)
    monkeypatch.setattr(stripe_api, "object_list", object_list)
    return listed


def paid(amount, seconds_ago):
    created = int(time.time()) - seconds_ago
    return events.event("checkout.session.completed", events.checkout_session(amount=amount), created=created)


def test_it_processes_events_never_received(transactional_db, campaign, client, stripe_lists, capsys):
    delivered, missed, missed_too = paid(1000, 300), paid(2500, 200), paid(400, 100)
    assert events.post_event(client, delivered).status_code == 200
    stripe_lists.extend([delivered, missed, missed_too])

    call_command("reconcile_stripe")

    out = capsys.readouterr().out
    assert "3 Stripe events listed, 2 never received (now processed)" in out
    assert f"recovered {missed['id']}" in out and "ledger matches Stripe" in out
    assert StripeEvent.objects.filter(processed_at__isnull=False).count() == 3
    assert Period.objects.get().raised == 3900

    call_command("reconcile_stripe")  # a second run changes nothing
    assert "0 never received" in capsys.readouterr().out
    assert Period.objects.get().raised == 3900


def test_it_reports_differences_between_the_ledger_and_stripe(transactional_db, campaign, client, stripe_lists, capsys):
    evt = paid(1000, 300)
    events.post_event(client, evt)
    refund = events.event(
        "charge.refunded",
        events.charge(amount=1000, amount_refunded=1000, payment_intent=evt["data"]["object"]["payment_intent"]),
    )
    stripe_lists.extend([evt, refund])
    StripeEvent.objects.create(stripe_id=refund["id"], type=refund["type"], payload={}, processed_at=None)
    StripeEvent.objects.filter(stripe_id=refund["id"]).update(received_at="2020-01-01T00:00:00Z")

    with pytest.raises(CommandError):
        call_command("reconcile_stripe")

    out = capsys.readouterr().out
    assert f"unprocessed {refund['id']}" in out
    intent = evt["data"]["object"]["payment_intent"]
    assert f"payment {intent}: Stripe refunded 1000, the ledger has 0" in out
    assert Donation.objects.get().amount_refunded == 0


def test_it_agrees_with_the_ledger_on_adaptive_pricing(transactional_db, campaign, client, stripe_lists, capsys):
    """The donor paid 46.00 EUR for a 50.00 USD gift: Stripe's session, its payment intent (in EUR) and the
    ledger (in USD) are one payment, compared in the campaign's currency as the handlers count it."""
    session = events.checkout_session(amount=4600, currency="eur")
    session["currency_conversion"] = {"amount_subtotal": 5000, "amount_total": 5000, "fx_rate": "0.92",
                                      "source_currency": "usd"}  # fmt: skip
    completed = events.event("checkout.session.completed", session, created=int(time.time()) - 60)
    intent = {"id": session["payment_intent"], "object": "payment_intent", "amount": 4600, "amount_received": 4600,
              "currency": "eur", "status": "succeeded", "metadata": session["metadata"]}  # fmt: skip
    succeeded = events.event("payment_intent.succeeded", intent, created=int(time.time()) - 59)
    for evt in (completed, succeeded):
        assert events.post_event(client, evt).status_code == 200
    stripe_lists.extend([completed, succeeded])

    call_command("reconcile_stripe")

    assert "ledger matches Stripe" in capsys.readouterr().out
    assert Donation.objects.get().amount == 5000
