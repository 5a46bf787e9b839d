"""The iframe snippet never clips its widget: for every layout and option, at 320, 390 and 640 px wide (the
snippet's max-width), in English and in French with a long title, the page's content fits the height the
Embed page writes into the snippet."""

import itertools
import re

import pytest

from fundraising.widgets.admin import embed_snippets, iframe_height
from fundraising.widgets.options import WidgetOptions
from fundraising.widgets.services import snapshot_refresh
from tests.browser import ARTIFACTS, chromium_browser
from tests.factories import DonationFactory, SeedCampaignFactory

pytestmark = pytest.mark.browser

COMBINATIONS = [
    WidgetOptions(layout=layout, amounts=amounts, supporters=supporters, locale=locale)
    for layout, amounts, supporters, locale in itertools.product(
        ("full", "compact"), (False, True), (False, True), ("", "fr_FR")
    )
]


@pytest.fixture
def campaign(live_server, settings, widget_root, organization):
    settings.SITE_URL = live_server.url
    campaign = SeedCampaignFactory(
        organization=organization, slug="phares", title="Gardons la lumière allumée pour toute l’association"
    )
    campaign.supporters_wall = True
    campaign.save()
    DonationFactory(campaign=campaign, public_name="Ada", message="Un message assez long pour passer à la ligne " * 6)
    snapshot_refresh(campaign_id=campaign.pk)
    return campaign


def source_of(snippet):
    return re.search(r'src="([^"]+)"', snippet).group(1).replace("&amp;", "&")


def test_the_snippet_height_holds_every_option_at_every_width(chromium, live_server, campaign):
    clipped = []
    with chromium_browser(chromium) as browser:
        for width in (320, 390, 640):
            page = browser.new_page(viewport={"width": width, "height": 40})  # scrollHeight is then the content's
            for options in COMBINATIONS:
                snippet = embed_snippets(campaign=campaign, options=options)["iframe"]
                src = source_of(snippet)
                assert f'height="{iframe_height(options)}"' in snippet
                page.goto(src)
                content = page.evaluate("() => Math.ceil(document.documentElement.scrollHeight)")
                if content > iframe_height(options):
                    clipped.append((width, options.query(), content, iframe_height(options)))
            if width == 390:
                page.set_viewport_size({"width": 390, "height": iframe_height(COMBINATIONS[4])})
                page.goto(source_of(embed_snippets(campaign=campaign, options=COMBINATIONS[4])["iframe"]))
                page.screenshot(path=ARTIFACTS / "iframe_amounts_390.png")
            page.close()
    assert clipped == []
