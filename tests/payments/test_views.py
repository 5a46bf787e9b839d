"""The hosted donation page shows the campaign, this month's bar, presets and the form's labels."""

import pytest

from fundraising.ledger.models import Donation
from tests.challenge_helpers import donate_post
from tests.factories import CampaignFactory, DonationFactory


@pytest.fixture
def stripe_key(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_page"


def test_it_shows_title_bar_presets_and_labels(client, campaign, stripe_key):
    DonationFactory(campaign=campaign, amount=12300)
    from fundraising.campaigns.services import period_for
    from fundraising.ledger.services import period_recompute

    period_recompute(period_id=period_for(campaign=campaign).pk)
    response = client.get("/c/lights/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Keep the lights on" in html
    assert "123 $" in html  # the bar, formatted with the campaign's pattern
    for label in ("5 $", "10 $", "25 $", "Other", "One-time", "Monthly"):
        assert label in html
    assert '<label class="fr-label" for="id_custom_amount">Other amount</label>' in html
    assert "csrfmiddlewaretoken" in html
    assert "http://" not in html.split("<body>")[1].replace("http://testserver", "")  # no outside assets


def test_it_escapes_campaign_text(client, organization, stripe_key):
    CampaignFactory(organization=organization, slug="xss", title="<script>alert(1)</script>")
    html = client.get("/c/xss/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_it_is_404_for_unknown_or_inactive_campaigns(client, organization):
    CampaignFactory(organization=organization, slug="off", active=False)
    assert client.get("/c/nope/").status_code == 404
    assert client.get("/c/off/").status_code == 404


def test_it_says_stripe_is_not_configured(client, campaign, settings):
    settings.STRIPE_SECRET_KEY = ""
    html = client.get("/c/lights/").content.decode()
    assert "not set up yet" in html
    response = donate_post(client, "/c/lights/", {"preset": "500", "kind": "one_time"})
    assert response.status_code == 503
    assert "not set up yet" in response.content.decode()
    assert not Donation.objects.exists()
