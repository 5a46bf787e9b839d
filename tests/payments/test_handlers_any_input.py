"""No signed webhook body answers 5xx, and only a valid paid event changes the ledger (property-based)."""

import json
import math

import pytest
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_events, tasks
from fundraising.payments.models import StripeEvent
from tests.stripe_standin import events

BUDGET = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)  # fmt: skip


def post_raw(client, body):
    """POST a body signed with the webhook secret; the drain runs afterwards, as the worker would."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        response = client.post("/stripe/webhook/", data=body, content_type="application/json",
                               **events.signed_headers(body))  # fmt: skip
    assert response.status_code < 500, response.content
    drained = stripe_events.stripe_events_drain(seconds=5)
    for event_pk in drained.failed:  # a failure is kept with its error, not raised into the worker
        assert StripeEvent.objects.get(pk=event_pk).error
    return response


def ledger():
    return sorted(Donation.objects.values_list("pk", "amount", "currency", "status", "paid_at", "campaign_id"))


@BUDGET
@given(value=json_values)
def test_it_never_fails_on_signed_arbitrary_json(client, campaign, value):
    before = ledger()
    post_raw(client, json.dumps(value))
    assert ledger() == before


@BUDGET
@given(obj=st.dictionaries(st.text(max_size=12), json_values, max_size=6), type_=st.sampled_from(
    ["checkout.session.completed", "payment_intent.succeeded", "invoice.paid", "charge.refunded",
     "charge.dispute.closed", "customer.subscription.deleted", "checkout.session.expired"]))  # fmt: skip
def test_it_never_fails_on_any_object_of_a_known_type(client, campaign, obj, type_):
    before = ledger()
    post_raw(client, json.dumps(events.event(type_, obj)))
    assert ledger() == before  # no campaign, donation or amount it could count


FIELDS = ["id", "amount_total", "currency", "metadata", "mode", "payment_status", "payment_intent",
          "customer_details", "currency_conversion", "subscription"]  # fmt: skip


@BUDGET
@given(field=st.sampled_from(FIELDS), value=json_values, created=st.integers() | scalars)
def test_it_counts_a_mutated_session_only_when_it_is_still_a_valid_payment(client, campaign, field, value, created):
    donation = Donation.objects.create(campaign=campaign, amount=2500, currency="usd")
    session = events.checkout_session(amount=2500, donation=donation.pk)
    session[field] = value
    evt = events.event("checkout.session.completed", session)
    evt["created"] = created
    before = ledger()
    post_raw(client, json.dumps(evt))
    changed = [row for row in ledger() if row not in before]
    valid = (
        session.get("payment_status") == "paid" and session.get("mode") != "subscription"
        and (isinstance(session.get("amount_total"), int) and not isinstance(session.get("amount_total"), bool)
             and session["amount_total"] > 0 or isinstance(session.get("currency_conversion"), dict))
    )  # fmt: skip
    if not valid:
        assert changed == []
    for _, amount, currency, status, paid_at, campaign_id in changed:
        assert (currency, status, campaign_id) == ("usd", Donation.Status.SUCCEEDED, campaign.pk)
        assert amount > 0 and paid_at is not None


def test_it_refuses_json_nested_5000_deep(client, campaign):
    body = json.dumps(events.event("checkout.session.completed", {}))[:-1] + ', "x": ' + "[" * 5000 + "]" * 5000 + "}"
    assert post_raw(client, body).status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_it_refuses_non_json_numbers(client, campaign, constant):
    body = json.dumps(events.event("checkout.session.completed", {"amount_total": 1}))
    body = body.replace('"amount_total": 1', f'"amount_total": {constant}')
    assert post_raw(client, body).status_code == 400


@pytest.mark.parametrize("text", ["\u0000", "a\ud800b"])
def test_it_refuses_strings_postgresql_cannot_store(client, campaign, text):
    assert post_raw(client, json.dumps(events.event("checkout.session.completed", {"x": text}))).status_code == 400


@pytest.mark.parametrize("created", [10**30, -(10**30), 1e308, -1, "2026-01-01", math.pi])
def test_it_stores_an_event_created_out_of_range(client, campaign, created):
    evt = events.event("checkout.session.completed", events.checkout_session(amount=2500))
    evt["created"] = created
    assert post_raw(client, json.dumps(evt)).status_code == 200
    assert StripeEvent.objects.get().stripe_created_at is None


def test_it_stops_retrying_an_event_that_keeps_failing(client, campaign, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("cannot apply")

    monkeypatch.setattr(stripe_events, "event_apply", broken)
    post_raw(client, json.dumps(events.event("checkout.session.completed", events.checkout_session(amount=2500))))
    record = StripeEvent.objects.get()
    assert record.error == "RuntimeError: cannot apply" and record.processed_at is None
    StripeEvent.objects.filter(pk=record.pk).update(received_at=record.received_at.replace(year=2000))
    # each queued try retries a bounded number of times
    assert tasks.stripe_event_process_task.max_retries == tasks.MAX_RETRIES
    StripeEvent.objects.filter(pk=record.pk).update(attempts=stripe_events.EVENT_MAX_ATTEMPTS - 1)
    too_old = stripe_events.stripe_events_unprocessed(min_age_seconds=0, now=record.received_at)
    assert too_old == []  # too old: a person's
    StripeEvent.objects.filter(pk=record.pk).update(received_at=record.received_at)
    assert stripe_events.stripe_events_unprocessed(min_age_seconds=0) == [record.pk]
    StripeEvent.objects.filter(pk=record.pk).update(attempts=stripe_events.EVENT_MAX_ATTEMPTS)
    assert stripe_events.stripe_events_unprocessed(min_age_seconds=0) == []  # failed often enough: left with its error
