"""At 360 px, in Chromium, in French: whole titles, "Faire un don" on one line, the iframe's content
within its documented height, and the noscript image and the admin's previews within the screen."""

import pytest

from fundraising.widgets.admin import IFRAME_HEIGHT, embed_snippets
from fundraising.widgets.options import WidgetOptions
from fundraising.widgets.services import snapshot_refresh
from tests.browser import ARTIFACTS, chromium_browser
from tests.factories import SeedCampaignFactory

pytestmark = pytest.mark.browser

TITLE = "Gardons la lumière allumée pour toute l’association"

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Blog</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>body {{ margin: 8px; }}</style></head>
<body>{script}<div id="noscript">{img}</div></body></html>"""

TITLE_WHOLE = """(el) => ({text: el.textContent, cut: el.scrollWidth > el.clientWidth,
  ellipsis: getComputedStyle(el).textOverflow === 'ellipsis' && getComputedStyle(el).overflow === 'hidden'})"""


@pytest.fixture
def phares(live_server, settings, widget_root, organization):
    settings.SITE_URL = live_server.url
    campaign = SeedCampaignFactory(organization=organization, slug="phares", title=TITLE)
    campaign.locale, campaign.currency = "fr_FR", "eur"
    campaign.save()
    snapshot_refresh(campaign_id=campaign.pk)
    return campaign


@pytest.fixture
def browser(chromium, phares):
    with chromium_browser(chromium) as browser:
        yield browser


def one_line(box):
    return box["height"] < 40


def test_it_fits_the_iframe_at_360_px_in_french(live_server, phares, browser):
    page = browser.new_page(viewport={"width": 360, "height": IFRAME_HEIGHT}, device_scale_factor=2)
    page.goto(f"{live_server.url}/w/phares/")
    page.screenshot(path=ARTIFACTS / "widget_iframe_fr_360.png")
    title = page.locator(".title").evaluate(TITLE_WHOLE)
    assert title == {"text": TITLE, "cut": False, "ellipsis": False}
    donate = page.locator("a.donate")
    assert donate.inner_text() == "Faire un don" and one_line(donate.bounding_box())
    assert page.evaluate("() => document.documentElement.scrollHeight") <= IFRAME_HEIGHT
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360


def test_it_fits_the_script_widget_and_noscript_image_at_360_px(live_server, phares, publisher, browser):
    pages, origin = publisher
    script, noscript = embed_snippets(campaign=phares, options=WidgetOptions())["script"].split("\n")
    img = noscript.removeprefix("<noscript>").removesuffix("</noscript>")
    pages["/post.html"] = HOST_PAGE.format(script=script, img=img)
    page = browser.new_page(viewport={"width": 360, "height": 640}, device_scale_factor=2)
    page.goto(f"{origin}/post.html")
    page.wait_for_function("() => document.querySelector('span')?.shadowRoot?.querySelector('.c')", timeout=10000)
    page.locator("#noscript img").evaluate("img => img.decode()")
    page.screenshot(path=ARTIFACTS / "widget_script_fr_360.png")
    root = page.locator("span").first
    title = root.locator(".t").evaluate(TITLE_WHOLE)
    assert title == {"text": TITLE, "cut": False, "ellipsis": False}
    assert root.locator(".c").evaluate("c => c.parentNode.getAttribute('lang')") == "fr"
    donate = root.locator("a")
    assert donate.inner_text() == "Faire un don" and one_line(donate.bounding_box())
    image = page.locator("#noscript img").bounding_box()
    assert image["x"] + image["width"] <= 360 - 8 and image["height"] < 132
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360


def test_it_keeps_the_admin_previews_on_a_phone_screen(live_server, phares, browser):
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/campaigns/campaign/{phares.pk}/embed/")
    page.locator(".preview img").evaluate("img => img.decode()")
    page.screenshot(path=ARTIFACTS / "admin_embed_360.png", full_page=True)
    for selector in (".preview img", ".preview iframe", ".preview fundraising-progress"):
        box = page.locator(selector).bounding_box()
        assert box["x"] + box["width"] <= 360, (selector, box)
