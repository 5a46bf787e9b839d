"""The campaign add and change forms offer only the member's own organisations."""

import re

import pytest

from fundraising.campaigns.models import Campaign
from fundraising.campaigns.services import owner_add
from tests.factories import OrganizationFactory


@pytest.fixture
def others(charlie):
    org = OrganizationFactory(name="Charlie's club")
    owner_add(organization=org, user=charlie)
    return org


def organisation_choices(html):
    select = re.search(r'<select name="organization".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\d+)"', select)


def test_it_offers_only_her_organisations_when_adding(client, alice, campaign, others):
    client.force_login(alice)
    html = client.get("/admin/campaigns/campaign/add/").content.decode()
    assert organisation_choices(html) == [str(campaign.organization_id)]
    assert "Charlie&#x27;s club" not in html


def test_it_offers_only_her_organisations_when_changing(client, alice, campaign, others):
    client.force_login(alice)
    html = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert organisation_choices(html) == [str(campaign.organization_id)]


def test_it_refuses_a_campaign_for_another_organisation(client, alice, campaign, others):
    client.force_login(alice)
    response = client.post(
        "/admin/campaigns/campaign/add/",
        {
            "organization": others.pk, "title": "Planted", "slug": "planted", "currency": "usd",
            "locale": "en_US", "time_zone": "UTC", "monthly_target": "1000", "preset_amounts": "5",
            "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Campaign.objects.filter(slug="planted").exists()
