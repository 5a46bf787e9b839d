"""Only events whose Stripe-Signature verifies (300 s tolerance, rotated secrets) are stored."""

import json
import time

import pytest

from fundraising.payments.models import StripeEvent
from tests.stripe_standin import events


@pytest.fixture
def body():
    return json.dumps(events.event("checkout.session.completed", events.checkout_session(amount=500)))


def post(client, body, header=None):
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header is not None else {}
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/stripe/webhook/", data=body, content_type="application/json", **extra)


def rotated(body):
    """Signed with the retired secret and the current one at once, as Stripe signs while a secret rolls."""
    now = int(time.time())
    old = events.signature(body, secret="whsec_old_secret", timestamp=now)
    new = events.signature(body, timestamp=now)
    return f"{old},{new.split(',', 1)[1]}"  # t=<now>,v1=<old>,v1=<new>


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (lambda b: None, 400),
        (lambda b: "", 400),
        (lambda b: "garbage", 400),
        (lambda b: "t=abc,v1=def", 400),
        (lambda b: events.signature(b, secret="whsec_wrong"), 400),
        (lambda b: events.signature(b, timestamp=int(time.time()) - 301), 400),
        (lambda b: events.signature(b + " "), 400),
        (lambda b: events.signature(b).replace("v1=", "v0="), 400),
        (lambda b: events.signature(b, timestamp=int(time.time()) - 250), 200),
        (rotated, 200),
        (lambda b: events.signature(b), 200),
    ],
    ids=[
        "missing",
        "empty",
        "garbage",
        "malformed",
        "wrong-secret",
        "stale",
        "other-body",
        "v0-only",
        "late-ok",
        "rotated",
        "valid",
    ],  # fmt: skip
)
def test_it_checks_the_signature(client, db, body, header, status):
    response = post(client, body, header(body))
    assert response.status_code == status
    assert StripeEvent.objects.count() == (1 if status == 200 else 0)


def test_it_refuses_a_signed_body_that_is_not_an_event(client, db):
    for body in ("not json", "[]", '{"id": "evt_1"}'):
        assert post(client, body, events.signature(body)).status_code == 400
    assert not StripeEvent.objects.exists()


def test_it_answers_503_without_a_secret(client, db, settings, body):
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert post(client, body, events.signature(body)).status_code == 503
    assert not StripeEvent.objects.exists()


def test_it_only_takes_post(client, db):
    assert client.get("/stripe/webhook/").status_code == 405


def test_it_stores_the_event_and_processes_it(client, campaign, body):
    response = post(client, body, events.signature(body))
    assert response.json()["received"] is True
    record = StripeEvent.objects.get()
    assert record.payload == json.loads(body)
    assert (record.type, record.api_version) == ("checkout.session.completed", events.API_VERSION)
    assert record.processed_at is not None and record.attempts == 1 and record.error == ""
    assert record.stripe_created_at is not None
