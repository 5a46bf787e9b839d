"""The script widget does not move the page: the snippet reserves the height the card takes (the same
numbers in embed.js and the admin), and in Chromium the drawn card fits its slot in every layout."""

import re
from pathlib import Path

import pytest

from fundraising.widgets.admin import SCRIPT_HEIGHTS, embed_snippets, script_height
from fundraising.widgets.options import WidgetOptions
from fundraising.widgets.services import snapshot_refresh
from tests.browser import ARTIFACTS, chromium_browser
from tests.factories import DonationFactory, SeedCampaignFactory

SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "embed.js"  # the source of the served copy
VARIANTS = {
    "full": WidgetOptions(),
    "compact": WidgetOptions(layout="compact"),
    "amounts": WidgetOptions(amounts=True),
    "supporters": WidgetOptions(supporters=True),
}


def test_it_uses_the_same_heights_in_the_script_and_the_snippet(db):
    compact, amounts, full, supporters = re.search(
        r'"compact" \? (\d+) : get\("amounts"\) === "1" \? (\d+) : (\d+)\) \+ \(get\("supporters"\) === "1" \? (\d+)',
        SCRIPT.read_text(),
    ).groups()
    expected = {"full": int(full), "compact": int(compact), "amounts": int(amounts), "supporters": int(supporters)}
    assert SCRIPT_HEIGHTS == expected


@pytest.fixture
def browser(chromium, live_server, settings, widget_root):
    settings.SITE_URL = live_server.url
    campaign = SeedCampaignFactory()
    campaign.supporters_wall = True
    campaign.save()
    DonationFactory(campaign=campaign, public_name="Ada", message="A message long enough to wrap " * 8)
    snapshot_refresh(campaign_id=campaign.pk)
    with chromium_browser(chromium) as browser:
        yield browser, campaign


@pytest.mark.browser
def test_it_draws_the_card_in_the_reserved_slot(live_server, publisher, browser):
    browser, campaign = browser
    pages, origin = publisher
    page = browser.new_page(viewport={"width": 700, "height": 900})
    for name, options in VARIANTS.items():
        pages[f"/{name}.html"] = (
            f"<!doctype html><title>x</title><body style='max-width:640px'>"
            f"{embed_snippets(campaign=campaign, options=options)['script']}<p id=after>text</p>"
        )
        page.goto(f"{origin}/{name}.html")
        before = page.locator("#after").bounding_box()["y"]
        page.wait_for_function("() => document.querySelector('span')?.shadowRoot?.querySelector('.c')", timeout=10000)
        card = page.evaluate("() => document.querySelector('span').shadowRoot.querySelector('.c').offsetHeight")
        page.screenshot(path=ARTIFACTS / f"reserved_{name}.png")
        if options.supporters:
            page.wait_for_function("() => document.querySelector('span').shadowRoot.querySelector('.w li')")
            card = page.evaluate("() => document.querySelector('span').shadowRoot.querySelector('.c').offsetHeight")
        assert card == script_height(options), name
        assert page.locator("#after").bounding_box()["y"] == before, name  # nothing below moved
