"""Cancel on the checkout page (Stripe's, or the demo's test page) brings the donor back to a form that
keeps their choices: amount, frequency, name, message. Only the donation's id travels in the URL."""

import datetime

import pytest
import time_machine

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from tests.challenge_helpers import donate_post
from tests.factories import CampaignFactory

CHOICES = {"preset": "", "custom_amount": "12.50", "kind": "monthly", "public_name": "Hedy",
           "message": "For the servers", "anonymous": ""}  # fmt: skip


@pytest.fixture
def started(client, campaign, settings, monkeypatch):
    made = {}
    monkeypatch.setattr(stripe_api, "checkout_ready", lambda: True)

    def create(*, params, idempotency_key):
        made.update(params)
        return {"id": "cs_1", "url": "https://x/"}

    monkeypatch.setattr(stripe_api, "checkout_session_create", create)
    assert donate_post(client, "/c/lights/", CHOICES).status_code == 303
    return made["cancel_url"].removeprefix(settings.SITE_URL)


def test_it_keeps_the_choices_on_cancel(client, started):
    assert "Hedy" not in started and "servers" not in started  # only the id goes to Stripe
    page = client.get(started).content.decode()
    assert 'value="Hedy"' in page and ">For the servers</textarea>" in page
    assert 'value="12.50"' in page and 'value="monthly" id="id_kind_1" checked' in page


def test_it_forgets_a_paid_old_or_other_campaigns_gift(client, started, campaign):
    donation = Donation.objects.get()
    other = CampaignFactory(organization=campaign.organization, slug="roof")
    assert "Hedy" not in client.get(started.replace("/c/lights/", "/c/roof/")).content.decode()
    assert "Hedy" not in client.get("/c/lights/?cancelled=not-a-uuid").content.decode()
    with time_machine.travel(donation.created_at + datetime.timedelta(days=2)):
        assert "Hedy" not in client.get(started).content.decode()
    Donation.objects.filter(pk=donation.pk).update(status=Donation.Status.SUCCEEDED)
    assert "Hedy" not in client.get(started).content.decode()
    assert other.slug == "roof"
