"""An amount with two readings ("25,50" on an en_US page) is a question with a one-click answer, never a
Checkout Session for a hundred times the gift; presets keep to the same range as typed amounts."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from tests.challenge_helpers import donate_post
from tests.factories import CampaignFactory


@pytest.fixture
def stripe_calls(settings, monkeypatch):
    """Stripe's API at the one seam: records the sessions the app asks for."""
    settings.STRIPE_SECRET_KEY = "sk_test_ambiguous"
    calls = []

    def create(*, params, idempotency_key):
        calls.append(params)
        return {"id": f"cs_test_{len(calls)}", "url": f"https://checkout.stripe.test/pay/cs_test_{len(calls)}"}

    monkeypatch.setattr(stripe_api, "checkout_session_create", create)
    return calls


def test_it_asks_instead_of_charging_a_hundred_times(client, campaign, stripe_calls):
    response = donate_post(client, "/c/lights/", {"preset": "custom", "custom_amount": "25,50", "kind": "one_time"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Did you mean 25.50 $?" in page
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert '<button type="submit" form="donation-form"' in summary
    assert 'name="amount_confirmed" value="2550">Yes, 25.50 $</button>' in summary
    assert 'id="donation-form"' in page
    assert stripe_calls == [] and not Donation.objects.exists()


def test_choosing_the_suggestion_opens_a_session_for_it(client, campaign, stripe_calls):
    post = {"preset": "custom", "custom_amount": "25,50", "kind": "one_time", "amount_confirmed": "2550"}
    response = donate_post(client, "/c/lights/", post)
    assert response.status_code == 303
    [params] = stripe_calls
    assert params["line_items"][0]["price_data"]["unit_amount"] == 2550
    assert Donation.objects.get().amount == 2550


def test_a_confirmation_for_another_amount_is_not_taken(client, campaign, stripe_calls):
    post = {"preset": "custom", "custom_amount": "25,50", "kind": "one_time", "amount_confirmed": "255000"}
    response = donate_post(client, "/c/lights/", post)
    assert response.status_code == 400
    assert "Did you mean 25.50 $?" in response.content.decode()
    assert stripe_calls == [] and not Donation.objects.exists()


def test_the_question_is_asked_in_the_campaigns_language(client, organization, stripe_calls):
    CampaignFactory(organization=organization, slug="berlin", currency="eur", locale="de_DE", preset_amounts=[500],
                    amount_pattern="", min_amount=None)  # fmt: skip
    response = donate_post(client, "/c/berlin/", {"preset": "custom", "custom_amount": "12.50", "kind": "one_time"})
    assert response.status_code == 400
    assert "Meinten Sie 12,50\xa0€?" in response.content.decode()
    assert stripe_calls == [] and not Donation.objects.exists()


def test_a_preset_below_the_minimum_goes_nowhere(client, campaign, stripe_calls):
    campaign.min_amount = 1000  # raised after the 5 $ button was set up
    campaign.save()
    response = donate_post(client, "/c/lights/", {"preset": "500", "kind": "one_time"})
    assert response.status_code == 400
    assert "The smallest gift is 10 $." in response.content.decode()
    assert stripe_calls == [] and not Donation.objects.exists()
