"""Endpoints are an owner's business in each organisation: a user who owns A and only views B can neither
subscribe a URL to B's events (donors' addresses) nor read B's secrets and delivery payloads (issue 25
point 2)."""

import pytest

from fundraising.campaigns.services import owner_add
from fundraising.integrations.models import Delivery, Endpoint
from tests.factories import CampaignFactory, OrganizationFactory


@pytest.fixture
def bees(charlie, alice):
    org = OrganizationFactory(name="Charlie's bees")
    owner_add(organization=org, user=charlie)
    owner_add(organization=org, user=alice, role="viewer")
    return CampaignFactory(organization=org, slug="bees", title="Save the bees")


@pytest.fixture
def theirs(bees):
    endpoint = Endpoint.objects.create(campaign=bees, url="https://bees.example/hook", secret="whsec_bees_only",
                                       events=["donation.succeeded"], include_donor_email=True)  # fmt: skip
    delivery = Delivery.objects.create(endpoint=endpoint, event_id="evt_bees", event_type="donation.succeeded",
                                       event_key="k1", payload={"donor_email": "queen@bees.example"})  # fmt: skip
    return endpoint, delivery


def test_the_endpoint_form_offers_only_campaigns_the_user_owns(client, alice, campaign, bees):
    client.force_login(alice)
    form = client.get("/admin/integrations/endpoint/add/").context_data["adminform"].form
    assert list(form.fields["campaign"].queryset) == [campaign]
    data = {"campaign": bees.pk, "url": "https://evil.example/hook", "events": ["donation.succeeded"],
            "include_donor_email": "on", "active": "on"}  # fmt: skip
    response = client.post("/admin/integrations/endpoint/add/", data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Endpoint.objects.filter(url="https://evil.example/hook").exists()
    client.post("/admin/integrations/endpoint/add/", dict(data, campaign=campaign.pk))
    assert Endpoint.objects.get(url="https://evil.example/hook").campaign == campaign  # at A: an owner's right


def test_bs_endpoints_and_deliveries_stay_hidden_from_its_viewer(client, alice, campaign, theirs):
    endpoint, delivery = theirs
    client.force_login(alice)
    pages = [
        "/admin/integrations/endpoint/",
        "/admin/integrations/delivery/",
        f"/admin/integrations/endpoint/{endpoint.pk}/change/",
        f"/admin/integrations/delivery/{delivery.pk}/change/",
    ]
    for url in pages:
        response = client.get(url)
        body = response.content.decode()
        assert "whsec_bees_only" not in body and "queen@bees.example" not in body and "bees.example" not in body, url
        assert response.status_code == (200 if url.count("/") == 4 else 404), url
    assert "Save the bees" not in client.get("/admin/integrations/endpoint/").content.decode()  # not in the filter
    assert client.post(f"/admin/integrations/endpoint/{endpoint.pk}/send-test/").status_code == 404
