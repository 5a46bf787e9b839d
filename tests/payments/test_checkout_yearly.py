"""Yearly gifts on the donation form and in Checkout: offered per campaign (Campaign.yearly_gifts), a subscription
session with a yearly price, refused where the campaign does not offer it."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from fundraising.payments.forms import DonationForm, donation_prefill
from tests.challenge_helpers import donate_post


@pytest.fixture
def yearly_on(campaign):
    campaign.yearly_gifts = True
    campaign.save(update_fields=["yearly_gifts"])
    return campaign


@pytest.fixture
def stripe_calls(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_checkout"
    calls = []

    def create(*, params, idempotency_key):
        calls.append(params)
        return {"id": f"cs_test_{len(calls)}", "url": f"https://checkout.stripe.test/pay/cs_test_{len(calls)}"}

    monkeypatch.setattr(stripe_api, "checkout_session_create", create)
    return calls


def test_the_form_offers_yearly_only_where_the_campaign_does(campaign):
    assert [value for value, _ in DonationForm(campaign=campaign).fields["kind"].choices] == ["one_time", "monthly"]
    refused = DonationForm({"preset": "500", "kind": "yearly"}, campaign=campaign)
    assert not refused.is_valid()
    assert refused.errors["kind"] == ["Choose one-time or monthly."]
    assert donation_prefill(campaign=campaign, query={"kind": "yearly"}) == {}
    campaign.yearly_gifts = True
    assert [label for _, label in DonationForm(campaign=campaign).fields["kind"].choices] == [
        "One-time", "Monthly", "Yearly",
    ]  # fmt: skip
    assert donation_prefill(campaign=campaign, query={"kind": "yearly"}) == {"kind": "yearly"}
    assert DonationForm({"kind": "weekly"}, campaign=campaign).errors["kind"] == [
        "Choose one-time, monthly or yearly."
    ]


def test_the_page_shows_yearly_beside_one_time_and_monthly(client, yearly_on):
    page = client.get("/c/lights/").content.decode()
    assert 'value="yearly"' in page and ">Yearly<" in page
    assert "Monthly and yearly gifts can be cancelled at any time." in page
    assert "monthly and yearly gifts count in the month they are paid." in page


def test_it_opens_a_subscription_session_with_a_yearly_price(client, yearly_on, stripe_calls):
    response = donate_post(client, "/c/lights/", {"preset": "custom", "custom_amount": "120", "kind": "yearly"})
    assert response.status_code == 303
    donation = Donation.objects.get()
    assert (donation.amount, donation.kind, donation.status) == (12000, "yearly", "pending")
    [params] = stripe_calls
    price = params["line_items"][0]["price_data"]
    assert params["mode"] == "subscription"
    assert price["recurring"] == {"interval": "year"}
    assert price["product_data"]["name"] == "Yearly donation: Keep the lights on"
    assert params["subscription_data"] == {"metadata": params["metadata"]}
    assert "submit_type" not in params and "payment_intent_data" not in params


def test_a_yearly_post_to_a_campaign_without_it_opens_nothing(client, campaign, stripe_calls):
    response = donate_post(client, "/c/lights/", {"preset": "500", "kind": "yearly"})
    assert response.status_code == 400
    assert "Choose one-time or monthly." in response.content.decode()
    assert stripe_calls == [] and not Donation.objects.exists()


@pytest.mark.parametrize(("locale", "label", "fine"), [
    ("fr_FR", ">Annuel<", "Les dons mensuels et annuels peuvent être arrêtés à tout moment."),
    ("de_DE", ">Jährlich<", "Monatliche und jährliche Spenden können jederzeit beendet werden."),
    ("es_ES", ">Anual<", "Las donaciones mensuales y anuales se pueden cancelar en cualquier momento."),
])  # fmt: skip
def test_the_yearly_choice_speaks_the_campaigns_language(client, yearly_on, locale, label, fine):
    yearly_on.locale = locale
    yearly_on.save(update_fields=["locale"])
    page = client.get("/c/lights/").content.decode()
    assert label in page
    assert fine in page
