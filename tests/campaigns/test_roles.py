"""Each role does what it may on each admin page: viewer reads, editor edits campaigns and milestones,
owner also manages members, invitations, webhooks (integrations' endpoints) and exports. charlie (no
membership) sees nothing."""

import pytest

from fundraising.campaigns.models import Membership, Organization
from fundraising.campaigns.services import owner_add
from fundraising.integrations.models import Endpoint
from tests.admin_helpers import form_data
from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory, UserFactory

ROLES = ["alice", "bob", "victor"]


@pytest.fixture
def cast(organization, campaign, alice, bob, charlie):
    victor = UserFactory(username="victor")
    owner_add(organization=organization, user=victor, role="viewer")
    owner_add(organization=OrganizationFactory(name="Charlie's club"), user=charlie)  # staff, elsewhere
    DonationFactory(campaign=campaign)
    return {"alice": alice, "bob": bob, "victor": victor, "charlie": charlie}


def signed_in(client, cast, name):
    client.force_login(cast[name])
    return client


@pytest.mark.parametrize(("name", "status"), [("alice", 200), ("bob", 200), ("victor", 200), ("charlie", 404)])
@pytest.mark.parametrize(
    "page",
    [
        "/admin/campaigns/campaign/{campaign}/change/",
        "/admin/campaigns/campaign/{campaign}/embed/",
        "/admin/campaigns/organization/{organization}/change/",
        "/admin/campaigns/period/{period}/change/",
    ],
)
def test_it_lets_every_member_read_and_nobody_else(client, cast, campaign, organization, name, status, page):
    period = campaign.periods.get()
    url = page.format(campaign=campaign.pk, organization=organization.pk, period=period.pk)
    assert signed_in(client, cast, name).get(url).status_code == status


@pytest.mark.parametrize("name", ROLES)
@pytest.mark.parametrize("page", ["campaign", "period", "organization"])
def test_it_lists_the_organisations_rows_for_every_member(client, cast, name, page):
    response = signed_in(client, cast, name).get(f"/admin/campaigns/{page}/")
    assert response.status_code == 200
    assert "Charlie" not in response.content.decode()
    donations = client.get("/admin/ledger/donation/")
    assert donations.status_code == 200 and "Keep the lights on" in donations.content.decode()


@pytest.mark.parametrize(("name", "allowed"), [("alice", True), ("bob", True), ("victor", False)])
def test_it_lets_owners_and_editors_edit_a_campaign(client, cast, campaign, name, allowed):
    url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    signed_in(client, cast, name)
    data = form_data(client, url, title="Renamed", **{"milestones-0-amount": "100000", "milestones-0-label": "M"})
    response = client.post(url, data)
    assert response.status_code == (302 if allowed else 403)
    campaign.refresh_from_db()
    assert (campaign.title == "Renamed") is allowed
    assert campaign.milestones.exists() is allowed


@pytest.mark.parametrize(("name", "allowed"), [("alice", True), ("bob", False), ("victor", False)])
def test_it_lets_only_owners_set_up_webhooks_and_see_their_secrets(client, cast, campaign, name, allowed):
    signed_in(client, cast, name)
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert "milestone.reached" in page and "webhook_url" not in page  # the campaign points to Integrations
    assert ('href="/admin/integrations/endpoint/add/"' in page) is allowed
    data = {"campaign": campaign.pk, "url": "https://evil.example/hook", "events": ["milestone.reached"]}
    client.post("/admin/integrations/endpoint/add/", {**data, "active": "on"})
    assert Endpoint.objects.filter(url="https://evil.example/hook").exists() is allowed
    endpoint = Endpoint.objects.create(campaign=campaign, url="https://hooks.example/", secret="whsec_owners_only")
    response = client.get(f"/admin/integrations/endpoint/{endpoint.pk}/change/")
    assert response.status_code == (200 if allowed else 404)  # not even listed where one is not an owner
    assert ("whsec_owners_only" in response.content.decode()) is allowed


@pytest.mark.parametrize(("name", "allowed"), [("alice", True), ("bob", False), ("victor", False)])
def test_it_lets_only_owners_change_roles(client, cast, organization, name, allowed):
    url = f"/admin/campaigns/organization/{organization.pk}/change/"
    signed_in(client, cast, name)
    data = form_data(client, url)
    for key, value in list(data.items()):  # everyone becomes an owner, the attack of issue 9 row 4
        if key.startswith("memberships-") and key.endswith("-role"):
            data[key] = "owner"
    response = client.post(url, data)
    assert response.status_code == (302 if allowed else 403)
    roles = set(Membership.objects.filter(organization=organization).values_list("role", flat=True))
    assert (roles == {"owner"}) is allowed
    if allowed:
        assert cast["victor"].groups.filter(name="Owners").exists()


@pytest.mark.parametrize("name", ROLES)
def test_it_never_offers_to_pick_a_user(client, cast, organization, name):
    page = signed_in(client, cast, name).get(f"/admin/campaigns/organization/{organization.pk}/change/")
    assert "charlie" not in page.content.decode()  # not even as a choice
    assert 'name="memberships-0-user"' not in page.content.decode()
    assert 'name="memberships-MAX_NUM_FORMS" value="0"' in page.content.decode()  # no row can be added


@pytest.mark.parametrize(("name", "status"), [("alice", 200), ("bob", 403), ("victor", 403)])
def test_it_lets_only_owners_export_donations(client, cast, name, status):
    response = signed_in(client, cast, name).get("/admin/ledger/donation/export.csv")
    assert response.status_code == status


@pytest.mark.parametrize(("name", "status"), [("alice", 200), ("bob", 403), ("victor", 403)])
def test_it_lets_only_owners_manage_invitations(client, cast, name, status):
    assert signed_in(client, cast, name).get("/admin/campaigns/invitation/add/").status_code == status


@pytest.mark.parametrize(("name", "allowed"), [("alice", True), ("bob", True), ("victor", False)])
def test_it_lets_owners_and_editors_add_campaigns_to_their_organisation_only(client, cast, organization, name, allowed):
    signed_in(client, cast, name)
    response = client.get("/admin/campaigns/campaign/add/")
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert "Charlie&#x27;s club" not in response.content.decode()
        assert Organization.objects.filter(name="Charlie's club").exists()


@pytest.mark.parametrize("page", ["/admin/ledger/donation/", "/admin/campaigns/period/"])
def test_it_lists_only_the_users_campaigns_in_the_campaign_filter(client, cast, page):
    CampaignFactory(organization=Organization.objects.get(name="Charlie's club"), title="Charlie's secret drive")
    body = signed_in(client, cast, "alice").get(page).content.decode()
    assert "Keep the lights on" in body
    assert "secret drive" not in body


def test_the_last_owner_cannot_demote_or_remove_themselves(client, cast, organization):
    url = f"/admin/campaigns/organization/{organization.pk}/change/"
    signed_in(client, cast, "alice")  # the only owner
    data = form_data(client, url)
    for key in [k for k in data if k.startswith("memberships-") and k.endswith("-role")]:
        data[key] = "viewer"
    response = client.post(url, data)
    assert response.status_code == 200 and "needs at least one owner" in response.content.decode()
    assert Membership.objects.get(organization=organization, user=cast["alice"]).role == "owner"


def test_owner_add_restores_an_owner_from_the_shell(cast, organization):
    from django.core.management import CommandError, call_command

    Membership.objects.filter(organization=organization, role="owner").update(role="viewer")  # locked out
    call_command("owner_add", organization.name, "bob")
    assert Membership.objects.get(organization=organization, user=cast["bob"]).role == "owner"
    assert cast["bob"].groups.filter(name="Owners").exists()
    with pytest.raises(CommandError, match="No organisation"):
        call_command("owner_add", "Nobody's club", "bob")
    with pytest.raises(CommandError, match="No user"):
        call_command("owner_add", organization.name, "mallory")


@pytest.fixture
def two_roles(client, alice, campaign, charlie):
    """alice owns her club (A) and is only a viewer at Charlie's (B)."""
    theirs = OrganizationFactory(name="Charlie's club")
    owner_add(organization=theirs, user=charlie)
    owner_add(organization=theirs, user=alice, role="viewer")
    DonationFactory(campaign=campaign, public_name="Ours")
    DonationFactory(campaign=CampaignFactory(organization=theirs, slug="theirs", title="Theirs"), public_name="Other")
    client.force_login(alice)
    return campaign, theirs


def test_a_user_gets_each_organisations_own_role(client, two_roles):
    """Owner's rights in A, a viewer's in B: one membership's role never leaks into the other (issue 29 point 9)."""
    ours, theirs = two_roles
    other = theirs.campaigns.get()
    for campaign, allowed in ((ours, True), (other, False)):
        url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
        page = client.get(url)
        assert page.status_code == 200 and ('name="_save"' in page.content.decode()) is allowed
        response = client.post(url, form_data(client, url, title="Renamed"))
        assert response.status_code == (302 if allowed else 403)
        campaign.refresh_from_db()
        assert (campaign.title == "Renamed") is allowed
    for organization, allowed in ((ours.organization, True), (theirs, False)):
        url = f"/admin/campaigns/organization/{organization.pk}/change/"
        assert client.post(url, form_data(client, url, name="Taken over")).status_code == (302 if allowed else 403)
        organization.refresh_from_db()
        assert (organization.name == "Taken over") is allowed
    invite = {"organization": theirs.pk, "email": "friend@example.org", "role": "owner"}
    client.post("/admin/campaigns/invitation/add/", invite)
    assert not theirs.invitations.exists()
    client.post("/admin/campaigns/invitation/add/", dict(invite, organization=ours.organization_id))
    assert ours.organization.invitations.filter(email="friend@example.org").exists()
    export = b"".join(client.get("/admin/ledger/donation/export.csv").streaming_content).decode()
    assert "Ours" in export and "Other" not in export  # owners export, but only where they own
    listed = client.get("/admin/ledger/donation/").content.decode()
    assert "Ours" in listed and "Other" in listed  # a viewer still reads B's gifts
