"""reconcile_stripe compares the ledger with Stripe's objects listed through the API (sessions, intents,
charges, invoices, refunds, disputes naming a campaign), not with recent events, read as the handlers read
them: Adaptive Pricing refunds converted, failed refunds given back, unmatched payments accounted for."""

import time

import pytest

from fundraising.payments import stripe_api
from fundraising.payments.reconcile import stripe_reconcile
from tests.stripe_standin import events, objects


@pytest.fixture
def stripe_has(monkeypatch):
    """Stripe's objects by kind, patched at the one module that talks to Stripe; no recent events."""
    found = {kind: [] for kind in stripe_api.OBJECT_LISTS}
    monkeypatch.setattr(stripe_api, "event_list", lambda **kwargs: {"data": [], "has_more": False})
    monkeypatch.setattr(stripe_api, "object_list", lambda *, kind, **kwargs: {"data": found[kind], "has_more": False})
    return found


def adaptive_payment(client):
    pi, ch = events.sid("pi"), events.sid("ch")
    session = objects.session(amount=460, currency="eur", conversion=(500, "usd"), payment_intent=pi)
    events.post_event(client, objects.at(objects.BASIL, "checkout.session.completed", session))
    return session, pi, ch


def test_it_finds_an_invoice_the_ledger_never_saw(client, campaign, stripe_has):
    old = objects.invoice(amount=1500, subscription=events.sid("sub"), metadata={"fundraising_campaign": "lights"},
                          paid_at=int(time.time()) - 60 * 86400)  # fmt: skip
    stripe_has["invoice"].append(old)
    report = stripe_reconcile()
    assert report.differences == [f"invoice {old['id']}: Stripe has 1500 paid, the ledger has no paid donation"]


def test_it_compares_adaptive_pricing_refunds_in_the_campaigns_currency(client, campaign, stripe_has):
    session, pi, ch = adaptive_payment(client)
    refund = objects.refund(amount=460, charge_id=ch, payment_intent=pi, currency="eur")
    stripe_has["checkout_session"].append(session)
    stripe_has["refund"].append(refund)
    assert stripe_reconcile().differences == [f"payment {pi}: Stripe refunded 500, the ledger has 0"]
    events.post_event(client, objects.at(objects.BASIL, "refund.created", refund))
    assert stripe_reconcile().differences == []


def test_it_counts_a_failed_refund_as_given_back(client, campaign, stripe_has):
    session, pi, ch = adaptive_payment(client)
    refund = objects.refund(amount=230, charge_id=ch, payment_intent=pi, currency="eur", status="failed")
    stripe_has["checkout_session"].append(session)
    stripe_has["refund"].append(refund)
    stripe_has["charge"].append(objects.charge(amount=460, currency="eur", payment_intent=pi, charge_id=ch))
    assert stripe_reconcile().differences == []


def test_it_reports_a_dispute_the_ledger_missed(client, campaign, stripe_has):
    session, pi, ch = adaptive_payment(client)
    stripe_has["checkout_session"].append(session)
    stripe_has["dispute"].append(objects.dispute(amount=460, charge_id=ch, payment_intent=pi, currency="eur",
                                                 status="lost"))  # fmt: skip
    assert stripe_reconcile().differences == [f"payment {pi}: Stripe's dispute is lost, the ledger has none"]


def test_it_accounts_for_payments_that_cannot_count(client, campaign, stripe_has):
    charge = objects.charge(amount=300, currency="eur", metadata={"fundraising_campaign": "lights"})
    stripe_has["charge"].append(charge)
    assert stripe_reconcile().differences == [
        f"charge {charge['id']}: Stripe has 300 eur paid (currency), not recorded"
    ]
    events.post_event(client, objects.at(objects.PRE_INTENT, "charge.succeeded", charge))
    report = stripe_reconcile()
    assert report.differences == []
    assert any(line.startswith(f"unmatched {charge['id']}") for line in report.lines())
