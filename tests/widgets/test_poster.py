"""The printable poster: the bar, the month and a QR code to the donation page, in the campaign's language, on
one A4 or Letter sheet; the QR code read back from a screenshot is the donation page's address."""

import io
import re

import pytest

from tests.browser import ARTIFACTS, chromium_browser
from tests.factories import CampaignFactory, SeedCampaignFactory


def test_it_shows_the_bar_the_month_and_a_qr_code(client, organization, settings, widget_root):
    settings.SITE_URL = "https://fund.example.org"
    SeedCampaignFactory(organization=organization)
    response = client.get("/c/lights/poster/")
    assert response.status_code == 200 and "max-age=60" in response["Cache-Control"]
    page = response.content.decode()
    assert "<h1>Keep the lights on</h1>" in page
    assert "<title id=\"t\">Keep the lights on: 0 $ of 5,000 $ raised in" in page  # the bar, in its own words
    assert page.count("<svg") == 2  # the bar and the QR code
    assert "Scan to give" in page and "or go to https://fund.example.org/c/lights/" in page
    assert "size: letter portrait" in page  # en_US: Letter unless asked
    assert "size: A4 portrait" in client.get("/c/lights/poster/?paper=a4").content.decode()


def test_it_speaks_the_campaigns_language_on_a4(client, organization, widget_root):
    CampaignFactory(organization=organization, slug="serveurs", title="Serveurs", currency="eur", locale="fr_FR")
    page = client.get("/c/serveurs/poster/").content.decode()
    assert '<html lang="fr">' in page and "size: A4 portrait" in page
    assert "Scannez pour donner" in page and "Imprimer cette affiche" in page


def test_it_is_not_found_for_an_inactive_or_unknown_campaign(client, organization, widget_root):
    CampaignFactory(organization=organization, slug="asleep", active=False)
    assert client.get("/c/asleep/poster/").status_code == 404
    assert client.get("/c/nobody/poster/").status_code == 404
    assert client.post("/c/nobody/poster/").status_code == 405


def test_it_escapes_the_title(client, organization, widget_root):
    CampaignFactory(organization=organization, slug="hostile", title="<script>alert(1)</script>")
    page = client.get("/c/hostile/poster/").content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.browser
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_it_prints_on_one_sheet_with_a_qr_code_that_reads_back(live_server, organization, settings, widget_root,
                                                                chromium, paper):  # fmt: skip
    import zxingcpp
    from PIL import Image

    settings.SITE_URL = live_server.url
    SeedCampaignFactory(organization=organization)
    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 1000, "height": 1300})
        page.goto(f"{live_server.url}/c/lights/poster/?paper={paper}")
        pdf = page.pdf(format="A4" if paper == "a4" else "Letter", prefer_css_page_size=True, print_background=True)
        assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1, "the poster prints on more than one sheet"
        shot = page.locator(".sheet").screenshot(path=ARTIFACTS / f"poster_{paper}.png")
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert [code.text for code in codes] == [f"{live_server.url}/c/lights/"]
