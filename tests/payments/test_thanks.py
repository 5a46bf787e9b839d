"""The thanks page counts a paid session at once, and the webhook for the same session adds nothing."""

import pytest

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from tests.stripe_standin import events


@pytest.fixture
def pending(campaign):
    return Donation.objects.create(
        campaign=campaign, amount=2500, currency="usd", public_name="Ada", stripe_checkout_session_id="cs_test_thanks"
    )


@pytest.fixture
def session_api(settings, monkeypatch, pending):
    settings.STRIPE_SECRET_KEY = "sk_test_thanks"
    session = events.checkout_session(amount=2500, donation=pending.id, session_id="cs_test_thanks")
    monkeypatch.setattr(stripe_api, "checkout_session_retrieve", lambda *, session_id: dict(session, id=session_id))
    return session


def test_it_thanks_and_shows_the_gift_in_the_bar(client, session_api, pending):
    html = client.get("/c/lights/thanks/?session_id=cs_test_thanks").content.decode()
    assert "Thank you, <bdi>Ada</bdi>!" in html
    assert "Your gift of <strong>25 $</strong>" in html
    assert 'aria-valuenow="2500"' in html
    assert Donation.objects.get().status == "succeeded"


def test_it_counts_once_with_the_webhook(client, session_api, pending):
    client.get("/c/lights/thanks/?session_id=cs_test_thanks")
    client.get("/c/lights/thanks/?session_id=cs_test_thanks")
    assert events.post_event(client, events.event("checkout.session.completed", session_api)).status_code == 200
    assert Donation.objects.count() == 1
    assert Period.objects.get().raised == 2500


def test_it_still_thanks_when_stripe_is_unreachable(client, campaign, settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_thanks"

    def down(**kwargs):
        raise stripe_api.StripeUnavailable("timeout")

    monkeypatch.setattr(stripe_api, "checkout_session_retrieve", down)
    response = client.get("/c/lights/thanks/?session_id=cs_test_whatever")
    assert response.status_code == 200
    assert "is on its way" in response.content.decode()


def test_it_ignores_a_session_of_another_campaign(client, session_api, organization):
    from tests.factories import CampaignFactory

    CampaignFactory(organization=organization, slug="other")
    html = client.get("/c/other/thanks/?session_id=cs_test_thanks").content.decode()
    assert "is on its way" in html
    assert Donation.objects.get().status == "pending"
