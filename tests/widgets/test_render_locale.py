"""Widgets and donation pages speak the campaign's language (its locale), or the ?locale= one."""

import json
import xml.etree.ElementTree as ET

import pytest

from tests.factories import CampaignFactory, SeedCampaignFactory, gift_add

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def french(transactional_db, widget_root):
    campaign = SeedCampaignFactory(slug="phares", title="Gardons la lumière")
    campaign.locale, campaign.currency = "fr_FR", "eur"
    campaign.save()
    gift_add(campaign=campaign, gifts=[])  # refresh the widget with the new locale
    return campaign


def svg_texts(body):
    tree = ET.fromstring(body)
    texts = [("".join(node.itertext())).strip() for node in tree.iter(f"{NS}text")]
    return tree, texts


def test_it_puts_french_words_in_the_json(client, french):
    document = json.loads(client.get("/w/phares.json").content)
    text = document["text"]
    assert text["supporters"] == "3 soutiens"
    assert text["donate"] == "Faire un don"
    assert text["of"] == f"sur {document['formatted']['target']}"
    assert text["valuetext"].startswith(f"{document['formatted']['raised']} collectés sur ")
    assert text["valuetext"].endswith(document["period"]["label"])
    assert document["formatted"]["raised"] == "100 €" and document["donors"] == 3  # documented fields unchanged


def test_it_draws_the_french_svg(client, french):
    tree, texts = svg_texts(client.get("/w/phares.svg").content)
    assert "2\xa0% · 3 soutiens" in texts  # French percent: comma and a no-break space
    assert "collectés sur" in tree.find(f"{NS}title").text
    assert "3 soutiens" in tree.find(f"{NS}desc").text
    assert "de l’objectif mensuel" in tree.find(f"{NS}desc").text
    compact = client.get("/w/phares.svg?layout=compact").content.decode()
    assert "sur 5" in compact and "3 soutiens" in compact and " of " not in compact


def test_it_uses_the_singular_for_one_supporter(client, transactional_db, widget_root):
    campaign = CampaignFactory(slug="seul", locale="fr_FR", currency="eur")
    gift_add(campaign=campaign, gifts=[1000])
    assert json.loads(client.get("/w/seul.json").content)["text"]["supporters"] == "1 soutien"
    assert "0,2\xa0% · 1 soutien" in svg_texts(client.get("/w/seul.svg").content)[1]  # a decimal comma too


def test_it_translates_the_iframe_page(client, french):
    html = client.get("/w/phares/").content.decode()
    assert '<html lang="fr">' in html
    assert "de l’objectif mensuel" in html and ">Faire un don</a>" in html
    assert "3 soutiens" in html and "collectés sur" in html  # the bar and its aria-valuetext
    assert "supporters" not in html and "Donate" not in html


def test_it_renders_a_locale_variant_in_its_own_language(client, french):
    document = json.loads(client.get("/w/phares.json?locale=de_DE").content)
    assert document["text"]["supporters"] == "3 Unterstützer" and document["text"]["donate"] == "Spenden"
    assert "2\xa0% · 3 Unterstützer" in svg_texts(client.get("/w/phares.svg?locale=de").content)[1]
    html = client.get("/w/phares/?locale=de").content.decode()
    assert "des Monatsziels" in html and ">Spenden</a>" in html
    # The default rendition is still French afterwards (variants are cached apart).
    assert json.loads(client.get("/w/phares.json").content)["text"]["donate"] == "Faire un don"


def test_it_stays_english_by_default_whatever_the_browser_asks(client, transactional_db, widget_root):
    SeedCampaignFactory()
    document = json.loads(client.get("/w/lights.json", HTTP_ACCEPT_LANGUAGE="fr").content)
    assert document["text"] == {
        "lang": "en",
        "of": "of 5,000 $",
        "supporters": "3 supporters",
        "detail": "3 supporters",
        "donate": "Donate",
        "valuetext": f"100 $ of 5,000 $ raised in {document['period']['label']}",
        "how_often": "How often?",
        "one_time": "One-time",
        "monthly": "Monthly",
        "choose": "Choose an amount to give (opens a new tab)",
        "updated": "Updated %(when)s",
        "ago": {
            "now": "just now",
            "minute": {"one": "{0} minute ago", "other": "{0} minutes ago"},
            "hour": {"one": "{0} hour ago", "other": "{0} hours ago"},
            "day": {"one": "{0} day ago", "other": "{0} days ago"},
        },
    }
    html = client.get("/w/lights/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "2% of the monthly goal" in html and ">Donate</a>" in html and '<html lang="en">' in html
    assert json.loads(client.get("/w/lights.json?locale=fr").content)["text"]["donate"] == "Faire un don"


def test_it_shows_the_donation_page_in_french(client, french, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_locale"
    html = client.get("/c/phares/").content.decode()
    assert '<html lang="fr">' in html
    for label in ("Soutenir Gardons la lumière", "À quelle fréquence ?", "Ponctuel", "Mensuel", "Autre montant",
                  "Nom public (facultatif)", "Continuer vers le paiement sécurisé", "3 soutiens"):  # fmt: skip
        assert label in html, label
    response = client.post("/c/phares/", {"kind": "one_time", "preset": "custom", "custom_amount": "abc"})
    assert response.status_code == 400
    assert "Saisissez le montant en chiffres, par exemple 25 ou 25,50." in response.content.decode()
    english = client.get("/c/phares/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Autre montant" in english  # the campaign decides, not the browser


def test_it_thanks_in_french(client, french):
    html = client.get("/c/phares/thanks/").content.decode()
    assert "Merci !" in html and "Retour à la campagne" in html and "est en route" in html
