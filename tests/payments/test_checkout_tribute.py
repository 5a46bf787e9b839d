"""A dedication is stored on the pending gift made before Checkout; nothing of it goes to Stripe, and a
cancelled checkout brings it back on the form."""

import json

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from tests.challenge_helpers import donate_post

DEDICATED = {"preset": "2500", "kind": "one_time", "tribute_kind": "memory", "tribute_name": "Ada Lovelace",
             "tribute_on_wall": "on", "tribute_notify_email": "Grace@Example.org"}  # fmt: skip


@pytest.fixture
def stripe_calls(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_tribute"
    calls = []

    def create(*, params, idempotency_key):
        calls.append(params)
        return {"id": f"cs_test_tribute_{len(calls)}", "url": "https://checkout.stripe.test/pay"}

    monkeypatch.setattr(stripe_api, "checkout_session_create", create)
    return calls


def test_it_stores_the_dedication_on_the_pending_gift_and_sends_stripe_none_of_it(client, campaign, stripe_calls):
    assert donate_post(client, "/c/lights/", DEDICATED).status_code == 303
    donation = Donation.objects.get()
    assert donation.status == "pending"
    assert (donation.tribute_kind, donation.tribute_name, donation.tribute_on_wall) == ("memory", "Ada Lovelace", True)
    assert (donation.tribute_notify_email, donation.tribute_notify_amount) == ("grace@example.org", False)
    sent = json.dumps(stripe_calls).lower()
    assert "lovelace" not in sent and "grace" not in sent and "memory" not in sent


def test_a_gift_without_a_dedication_stores_none(client, campaign, stripe_calls):
    response = donate_post(client, "/c/lights/", {"preset": "2500", "kind": "monthly", "tribute_kind": "honour"})
    assert response.status_code == 303
    donation = Donation.objects.get()
    assert (donation.tribute_kind, donation.tribute_name, donation.tribute_notify_email) == ("", "", "")


def test_the_database_refuses_half_a_dedication(campaign):
    from django.db import IntegrityError, transaction

    for fields in ({"tribute_name": "Ada"}, {"tribute_kind": "honour"}, {"tribute_notify_email": "g@example.org"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Donation.objects.create(campaign=campaign, amount=100, currency="usd", **fields)


def test_a_cancelled_checkout_brings_the_dedication_back(client, campaign, stripe_calls, settings):
    donate_post(client, "/c/lights/", {**DEDICATED, "tribute_notify_amount": "on"})
    page = client.get(stripe_calls[0]["cancel_url"].removeprefix(settings.SITE_URL)).content.decode()
    assert '<details class="fr-tribute" id="tribute" open>' in page
    assert 'value="Ada Lovelace"' in page and 'value="grace@example.org"' in page
    assert 'value="memory" id="id_tribute_kind_1" checked' in page
    assert 'id="id_tribute_on_wall" checked' in page and 'id="id_tribute_notify_amount" checked' in page
