"""A valid POST records a pending donation and opens the Checkout Session docs/stripe.md describes."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from tests.challenge_helpers import donate_post


@pytest.fixture
def stripe_calls(settings, monkeypatch):
    """Stripe's API at the one seam: records what the app asks for."""
    settings.STRIPE_SECRET_KEY = "sk_test_checkout"
    calls = []

    def create(*, params, idempotency_key):
        calls.append({"params": params, "idempotency_key": idempotency_key})
        return {"id": f"cs_test_{len(calls)}", "url": f"https://checkout.stripe.test/pay/cs_test_{len(calls)}"}

    monkeypatch.setattr(stripe_api, "checkout_session_create", create)
    return calls


def test_it_opens_a_one_time_session(client, campaign, stripe_calls):
    response = donate_post(
        client,
        "/c/lights/",
        {"preset": "2500", "kind": "one_time", "public_name": "Ada", "message": "Keep going", "anonymous": "on"},
    )
    assert response.status_code == 303
    assert response["Location"] == "https://checkout.stripe.test/pay/cs_test_1"
    donation = Donation.objects.get()
    assert (donation.amount, donation.currency, donation.kind, donation.status) == (2500, "usd", "one_time", "pending")
    assert (donation.public_name, donation.message, donation.anonymous) == ("Ada", "Keep going", True)
    assert donation.stripe_checkout_session_id == "cs_test_1"
    [call] = stripe_calls
    params = call["params"]
    metadata = {"fundraising_campaign": "lights", "fundraising_donation": str(donation.id)}
    assert params["mode"] == "payment"
    assert params["submit_type"] == "donate"
    assert params["line_items"][0]["price_data"]["unit_amount"] == 2500
    assert params["line_items"][0]["price_data"]["currency"] == "usd"
    assert "recurring" not in params["line_items"][0]["price_data"]
    assert params["metadata"] == metadata
    assert params["payment_intent_data"] == {"metadata": metadata}
    assert params["success_url"] == "http://127.0.0.1:8000/c/lights/thanks/?session_id={CHECKOUT_SESSION_ID}"
    assert params["cancel_url"] == f"http://127.0.0.1:8000/c/lights/?cancelled={donation.id}"
    assert call["idempotency_key"] == f"donation-{donation.id}-checkout"
    assert params["locale"] == "en"
    assert params["line_items"][0]["price_data"]["product_data"]["name"] == "Donation: Keep the lights on"


def test_it_opens_a_monthly_subscription_session(client, campaign, stripe_calls):
    response = donate_post(client, "/c/lights/", {"preset": "custom", "custom_amount": "12.50", "kind": "monthly"})
    assert response.status_code == 303
    donation = Donation.objects.get()
    assert (donation.amount, donation.kind) == (1250, "monthly")
    params = stripe_calls[0]["params"]
    assert params["mode"] == "subscription"
    assert "submit_type" not in params and "payment_intent_data" not in params
    assert params["line_items"][0]["price_data"]["recurring"] == {"interval": "month"}
    assert params["line_items"][0]["price_data"]["unit_amount"] == 1250
    assert params["subscription_data"]["metadata"]["fundraising_donation"] == str(donation.id)


def test_it_keeps_the_pending_donation_when_stripe_is_down(client, campaign, settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_down"

    def down(**kwargs):
        raise stripe_api.StripeUnavailable("APIConnectionError: connection refused")

    monkeypatch.setattr(stripe_api, "checkout_session_create", down)
    response = donate_post(client, "/c/lights/", {"preset": "500", "kind": "one_time"})
    assert response.status_code == 502
    assert "could not reach our payment provider" in response.content.decode()
    donation = Donation.objects.get()
    assert donation.status == "pending" and donation.stripe_checkout_session_id is None


def test_it_turns_sdk_errors_into_stripe_unavailable(campaign, settings):
    """The real SDK against a port where nothing listens: a clean StripeUnavailable, not a crash."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.STRIPE_SECRET_KEY = "sk_test_nothing_there"
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"
    try:
        with pytest.raises(stripe_api.StripeUnavailable):
            stripe_api.checkout_session_create(params={"mode": "payment"}, idempotency_key="k")
    finally:
        import stripe

        stripe.api_base = "https://api.stripe.com"


def test_it_opens_checkout_in_the_campaigns_language(client, campaign, stripe_calls):
    campaign.locale = "fr_FR"
    campaign.save()
    assert donate_post(client, "/c/lights/", {"preset": "2500", "kind": "monthly"}).status_code == 303
    [call] = stripe_calls
    assert call["params"]["locale"] == "fr"
    assert call["params"]["line_items"][0]["price_data"]["product_data"]["name"] == "Don mensuel: Keep the lights on"


def test_it_lets_stripe_choose_for_a_language_checkout_does_not_speak():
    from fundraising.payments.checkout import checkout_locale
    from tests.factories import CampaignFactory

    assert checkout_locale(CampaignFactory.build(locale="ca_ES")) == "auto"
    assert checkout_locale(CampaignFactory.build(locale="de")) == "de"
