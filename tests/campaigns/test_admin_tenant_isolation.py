"""An owner sees and edits only their own organisation's data in the admin and its export."""
import pytest

from fundraising.campaigns.services import owner_add, period_for
from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory


@pytest.fixture
def other(charlie):
    """charlie owns another organisation, and has no access to alice's."""
    org = OrganizationFactory(name="Charlie's club")
    owner_add(organization=org, user=charlie)
    campaign = CampaignFactory(organization=org, slug="charlies", title="Charlie's drive")
    donation = DonationFactory(campaign=campaign, public_name="Secret Donor", donor_email="secret@example.com")
    return campaign, donation


@pytest.fixture
def mine(campaign):
    return campaign, DonationFactory(campaign=campaign, public_name="Visible Donor")


def admin_urls(campaign, donation):
    period = period_for(campaign=campaign)
    org = campaign.organization
    return [
        f"/admin/campaigns/campaign/{campaign.pk}/change/",
        f"/admin/campaigns/organization/{org.pk}/change/",
        f"/admin/campaigns/period/{period.pk}/change/",
        f"/admin/ledger/donation/{donation.pk}/change/",
        f"/admin/campaigns/campaign/{campaign.pk}/history/",
    ]


def test_it_lets_alice_open_her_own_pages(client, alice, mine):
    client.force_login(alice)
    for url in admin_urls(*mine):
        assert client.get(url).status_code == 200, url


def test_it_hides_every_page_of_another_organisation(client, alice, mine, other):
    client.force_login(alice)
    for url in admin_urls(*other):
        assert client.get(url).status_code == 404, url


def test_it_refuses_to_change_another_organisations_campaign(client, alice, mine, other):
    campaign, _ = other
    client.force_login(alice)
    url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    assert client.post(url, {"title": "Hijacked", "slug": "charlies", "monthly_target": 1}).status_code == 404
    campaign.refresh_from_db()
    assert campaign.title == "Charlie's drive"


def test_it_lists_only_her_campaigns_and_donations(client, alice, mine, other):
    client.force_login(alice)
    campaigns = client.get("/admin/campaigns/campaign/").content.decode()
    assert "Keep the lights on" in campaigns and "Charlie&#x27;s drive" not in campaigns
    donations = client.get("/admin/ledger/donation/").content.decode()
    assert "Visible Donor" in donations and "Secret Donor" not in donations


def test_it_exports_only_her_donations_with_filters(client, alice, mine, other):
    client.force_login(alice)
    export = client.get("/admin/ledger/donation/export.csv")
    body = b"".join(export.streaming_content).decode()
    assert export["Content-Type"].startswith("text/csv")
    assert "Visible Donor" in body and "secret@example.com" not in body
    filtered = client.get("/admin/ledger/donation/export.csv?status__exact=failed")
    assert len(b"".join(filtered.streaming_content).decode().strip().splitlines()) == 1


def test_it_escapes_formulas_in_the_export(client, alice, campaign):
    DonationFactory(campaign=campaign, public_name="=HYPERLINK(\"http://evil\")")
    client.force_login(alice)
    body = b"".join(client.get("/admin/ledger/donation/export.csv").streaming_content).decode()
    assert "'=HYPERLINK" in body


def test_it_keeps_charlie_out_of_alices_campaign_list(client, charlie, mine):
    client.force_login(charlie)
    assert "Keep the lights on" not in client.get("/admin/campaigns/campaign/").content.decode()


def test_it_shows_this_months_progress_in_the_campaign_list(client, alice, mine):
    from fundraising.ledger.services import period_recompute

    campaign, _ = mine  # one gift of 10 $ this month
    DonationFactory(campaign=campaign, amount=114000)
    DonationFactory(campaign=campaign, amount=5000, paid_at=None, status="pending")  # not counted
    period = period_recompute(period_id=period_for(campaign=campaign).pk)
    client.force_login(alice)
    page = client.get("/admin/campaigns/campaign/").content.decode()
    assert 'role="progressbar"' in page
    assert 'aria-valuenow="115000"' in page and 'aria-valuemax="500000"' in page
    assert 'aria-valuetext="1,150 $ of 5,000 $"' in page
    assert "width:23%" in page  # 115,000 of 500,000
    assert f"<small>1,150 $ of 5,000 $ · {period.label}</small>" in page
