"""Owners set a campaign up in money as they write it (major units, their locale) and pick its currency,
locale and time zone from lists; the campaign stores minor units."""

import html
import re

import pytest

from fundraising.campaigns.models import Campaign
from fundraising.campaigns.services import owner_add
from fundraising.core.money import format_money
from tests.admin_helpers import form_data
from tests.factories import CampaignFactory, MilestoneFactory, UserFactory

ADD = "/admin/campaigns/campaign/add/"


def new_campaign(organization, **fields):
    data = {
        "organization": organization.pk, "title": "Serveurs", "slug": "serveurs", "currency": "usd",
        "locale": "en_US", "time_zone": "UTC", "goal_kind": "amount", "monthly_target": "2000",
        "preset_amounts": "", "active": "on", "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0",
    }  # fmt: skip
    data.update(fields)
    return data


def milestones(*amounts):
    data = {"milestones-TOTAL_FORMS": str(len(amounts)), "milestones-INITIAL_FORMS": "0"}
    for index, amount in enumerate(amounts):
        data[f"milestones-{index}-amount"] = amount
        data[f"milestones-{index}-label"] = f"Step {index + 1}"
    return data


def errors(response):
    return html.unescape(response.content.decode())


def test_it_stores_a_euro_campaign_typed_in_euros(client, alice, organization):
    client.force_login(alice)
    data = new_campaign(
        organization, currency="eur", locale="fr_FR", time_zone="Europe/Paris",
        monthly_target="2000", preset_amounts="5; 10; 20", **milestones("500", "1 500"),
    )  # fmt: skip
    assert client.post(ADD, data).status_code == 302
    campaign = Campaign.objects.get(slug="serveurs")
    assert campaign.monthly_target == 200000
    assert campaign.preset_amounts == [500, 1000, 2000]
    assert list(campaign.milestones.values_list("amount", flat=True)) == [50000, 150000]
    page = client.get("/c/serveurs/").content.decode()
    assert format_money(200000, "eur", "fr_FR") == "2\u202f000\u00a0€"
    assert "2\u202f000\u00a0€" in page
    presets = re.findall(r'class="fr-preset".*?<span>([^<]*)</span>', page, re.S)
    assert presets == ["5\u00a0€", "10\u00a0€", "20\u00a0€", "Autre"]


def test_it_reads_comma_separated_presets_in_en_us(client, alice, organization):
    client.force_login(alice)
    response = client.post(ADD, new_campaign(organization, preset_amounts="5, 10, 20", min_amount="1"))
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="serveurs")
    assert (campaign.preset_amounts, campaign.min_amount, campaign.max_amount) == ([500, 1000, 2000], 100, None)


def test_it_refuses_a_currency_that_is_not_in_the_list(client, alice, organization):
    client.force_login(alice)
    response = client.post(ADD, new_campaign(organization, currency="EURO"))
    assert response.status_code == 200
    text = errors(response)
    assert "“EURO” is not a currency we take: pick one from the list." in text
    assert "constraint" not in text.lower()
    assert '<option value="eur">EUR — Euro</option>' in text
    assert not Campaign.objects.filter(slug="serveurs").exists()


def test_it_asks_when_the_target_has_two_readings(client, alice, organization):
    client.force_login(alice)
    response = client.post(ADD, new_campaign(organization, monthly_target="12,50"))
    assert response.status_code == 200
    assert "Did you mean $12.50?" in errors(response)
    assert 'data-from="12,50" data-to="12.50">Use 12.50</button>' in errors(response)
    assert "fundraising/admin-suggest.js" in response.content.decode()
    assert not Campaign.objects.filter(slug="serveurs").exists()


def test_it_names_the_preset_it_cannot_read(client, alice, organization):
    client.force_login(alice)
    response = client.post(ADD, new_campaign(organization, preset_amounts="5; ten; 20"))
    assert response.status_code == 200
    assert "“ten”: Enter the amount as a number, like 25 or 25.50." in errors(response)
    assert not Campaign.objects.filter(slug="serveurs").exists()


def test_it_offers_the_reading_of_one_preset_to_put_back_in_place(client, alice, organization):
    client.force_login(alice)
    response = client.post(ADD, new_campaign(organization, preset_amounts="5; 12,50; 20"))
    page = response.content.decode()  # the question is escaped once, the button is markup
    assert "“12,50”: Did you mean $12.50? " in html.unescape(page)
    assert '<button type="button" class="button fr-suggest" data-from="12,50" data-to="12.50">' in page


def test_it_says_in_words_when_the_largest_gift_is_below_the_smallest(client, alice, organization):
    client.force_login(alice)
    response = client.post(ADD, new_campaign(organization, min_amount="50", max_amount="10"))
    assert response.status_code == 200
    assert "The largest gift can&#x27;t be smaller than the smallest gift." in response.content.decode()


def test_it_shows_stored_amounts_in_major_units(client, alice, organization):
    client.force_login(alice)
    campaign = CampaignFactory(organization=organization, slug="lights", min_amount=150, max_amount=1000000)
    MilestoneFactory(campaign=campaign, amount=250000)
    url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    data = form_data(client, url)
    assert data["monthly_target"] == "5000"
    assert data["preset_amounts"] == "5, 10, 25"
    assert (data["min_amount"], data["max_amount"]) == ("1.50", "10000")
    assert data["milestones-0-amount"] == "2500"
    assert (data["currency"], data["locale"], data["time_zone"]) == ("usd", "en_US", "UTC")


def test_it_keeps_every_amount_when_posted_back_unchanged(client, alice, organization):
    client.force_login(alice)
    campaign = CampaignFactory(organization=organization, slug="lights", min_amount=150)
    MilestoneFactory(campaign=campaign, amount=250000)
    url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    assert client.post(url, form_data(client, url, title="Renamed")).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.title, campaign.monthly_target, campaign.min_amount) == ("Renamed", 500000, 150)
    assert campaign.preset_amounts == [500, 1000, 2500]
    assert list(campaign.milestones.values_list("amount", flat=True)) == [250000]


def test_it_reads_the_target_in_the_currency_submitted_with_it(client, alice, organization):
    client.force_login(alice)
    campaign = CampaignFactory(organization=organization, slug="lights")
    url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    assert client.post(url, form_data(client, url, currency="jpy", monthly_target="5000")).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.currency, campaign.monthly_target, campaign.preset_amounts) == ("jpy", 5000, [5, 10, 25])


@pytest.mark.parametrize("target, stored", [("50", 50), ("1,200", 1200)])
def test_it_takes_a_supporters_target_as_a_count(client, alice, organization, target, stored):
    client.force_login(alice)
    data = new_campaign(organization, goal_kind="supporters", monthly_target=target, **milestones("25"))
    assert client.post(ADD, data).status_code == 302
    campaign = Campaign.objects.get(slug="serveurs")
    assert (campaign.monthly_target, campaign.milestones.get().amount) == (stored, 25)


def test_it_starts_a_new_campaign_in_dollars_in_en_us_and_utc(client, alice, organization):
    client.force_login(alice)
    data = form_data(client, ADD)
    assert (data["currency"], data["locale"], data["time_zone"]) == ("usd", "en_US", "UTC")
    assert (data["monthly_target"], data["preset_amounts"]) == ("", "")


def test_it_shows_a_viewer_money_as_the_donation_page_writes_it(client, organization):
    victor = UserFactory(username="victor")
    owner_add(organization=organization, user=victor, role="viewer")
    MilestoneFactory(campaign=CampaignFactory(organization=organization, slug="lights", min_amount=100), amount=250000)
    client.force_login(victor)
    campaign = Campaign.objects.get(slug="lights")
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert 'name="monthly_target"' not in page
    for shown in ("5,000 $", "5 $, 10 $, 25 $", "1 $"):
        assert f'<div class="readonly">{shown}</div>' in page
    assert re.search(r'<td class="field-amount_shown">\s*<p>2,500 \$</p>', page)
    assert "500000" not in page and "250000" not in page


def test_it_reads_a_new_campaigns_milestones_in_the_currency_submitted(client, alice, organization):
    client.force_login(alice)
    data = new_campaign(organization, currency="jpy", monthly_target="50000", **milestones("5,000"))
    assert client.post(ADD, data).status_code == 302
    campaign = Campaign.objects.get(slug="serveurs")
    assert (campaign.monthly_target, campaign.milestones.get().amount) == (50000, 5000)


@pytest.mark.parametrize(
    "locale, typed, stored",
    [
        ("en_US", "1,000, 2,500", [100000, 250000]),
        ("en_US", "5,10,25", [500, 1000, 2500]),
        ("en_US", "7.50; 15", [750, 1500]),
        ("de_DE", "2,50; 1.000", [250, 100000]),
        ("fr_FR", "5, 10, 20", [500, 1000, 2000]),  # a comma and a space never mark decimals
        ("fr_FR", "12,50, 20", [1250, 2000]),
        ("fr_FR", "12,50", [1250]),
    ],
)
def test_it_splits_presets_the_locales_way(client, alice, organization, locale, typed, stored):
    client.force_login(alice)
    data = new_campaign(organization, currency="eur", locale=locale, preset_amounts=typed)
    assert client.post(ADD, data).status_code == 302
    assert Campaign.objects.get(slug="serveurs").preset_amounts == stored


def test_the_wall_help_names_the_real_json_url(client, alice, campaign):
    client.force_login(alice)
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()
    assert f"/w/{campaign.slug}/supporters.json" in page and "/w//supporters.json" not in page
