"""The campaign form's live preview: the bar the form describes as it stands, drawn by the widgets' own SVG
renderer; only for those who may save that form, never for another organisation's campaign."""

import html

from fundraising.campaigns.services import owner_add
from tests.admin_helpers import form_data
from tests.factories import CampaignFactory, OrganizationFactory, gift_add

NEW = "/admin/campaigns/campaign/preview/"


def new_campaign(organization, **fields):
    data = {
        "organization": organization.pk, "title": "Serveurs", "slug": "serveurs", "currency": "eur",
        "locale": "fr_FR", "time_zone": "Europe/Paris", "goal_kind": "amount", "monthly_target": "2000",
        "preset_amounts": "", "milestones-TOTAL_FORMS": "2", "milestones-INITIAL_FORMS": "0",
        "milestones-0-amount": "500", "milestones-0-label": "Un quart",
        "milestones-1-amount": "1 500", "milestones-1-label": "Trois quarts",
    }  # fmt: skip
    data.update(fields)
    return data


def test_it_draws_a_new_campaign_as_typed(client, alice, organization):
    client.force_login(alice)
    response = client.post(NEW, new_campaign(organization))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert "no-store" in response["Cache-Control"]
    svg = html.unescape(response.content.decode())
    for text in ("Serveurs", "2\u202f000\u00a0€", "500\u00a0€", "1\u202f500\u00a0€", "DÉCEMBRE", "0\u00a0€"):
        assert text in svg, text


def test_it_says_why_there_is_no_bar_yet(client, alice, organization):
    client.force_login(alice)
    response = client.post(NEW, new_campaign(organization, currency="usd", locale="en_US", monthly_target="12,50"))
    assert response.status_code == 422
    assert response.content.decode() == "Did you mean $12.50? Use 12.50"  # the question, without its button
    assert client.get(NEW).status_code == 405


def test_it_draws_a_stored_campaign_over_this_months_figures(
    client, alice, campaign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gift_add(campaign=campaign, gifts=[12300])
    client.force_login(alice)
    url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    response = client.post(f"/admin/campaigns/campaign/{campaign.pk}/preview/", form_data(client, url, title="Renamed"))
    svg = html.unescape(response.content.decode())
    assert response.status_code == 200 and "Renamed" in svg and "123 $" in svg


def test_it_refuses_viewers_and_other_organisations(client, alice, charlie, campaign):
    theirs = CampaignFactory(organization=OrganizationFactory(name="Other"), slug="theirs")
    client.force_login(alice)
    assert client.post(f"/admin/campaigns/campaign/{theirs.pk}/preview/", {}).status_code == 404
    owner_add(organization=campaign.organization, user=charlie, role="viewer")
    client.force_login(charlie)
    assert client.post(f"/admin/campaigns/campaign/{campaign.pk}/preview/", {}).status_code == 403
    assert client.post(NEW, new_campaign(campaign.organization)).status_code == 403


def test_it_bounds_the_milestone_rows_it_reads(client, alice, organization):
    client.force_login(alice)
    data = new_campaign(organization, **{"milestones-TOTAL_FORMS": "100000000"})
    assert client.post(NEW, data).status_code == 200
