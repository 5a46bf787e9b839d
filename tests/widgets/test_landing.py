"""`/`: the organisation's active campaigns, each with its bar (as its donation page draws it) and a way to give."""

from django.utils.html import escape

from tests.factories import CampaignFactory


def test_it_shows_each_active_campaign_with_its_bar(client, campaign, widget_root):
    CampaignFactory(organization=campaign.organization, slug="roof", title="Fix the roof", locale="fr_FR")
    CampaignFactory(organization=campaign.organization, slug="gone", title="Old appeal", active=False)
    html = client.get("/").content.decode()
    assert html.index("Fix the roof") < html.index("Keep the lights on")
    assert html.count('role="progressbar"') == 2 and "Old appeal" not in html
    assert '<div lang="fr">' in html and "$US <span>sur " in html  # each bar in its campaign's language
    assert "of 5,000 $" in html
    assert 'href="/c/roof/"' in html and 'aria-label="Give to Fix the roof"' in html
    assert f'<p class="fr-eyebrow">{escape(campaign.organization.name)}</p>' in html


def test_it_says_when_there_is_no_campaign(client, db):
    assert "No campaign yet" in client.get("/").content.decode()
