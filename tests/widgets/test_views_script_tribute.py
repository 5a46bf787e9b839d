"""In Chromium, the script embed's supporters wall (assets/embed.js) draws a dedication the donor allowed,
as text: a hostile name runs nothing and makes no element; one the donor kept off is not there."""

import pytest

from fundraising.widgets.admin import embed_snippets
from fundraising.widgets.options import WidgetOptions
from tests.browser import ARTIFACTS, chromium_browser, in_thread
from tests.factories import SeedCampaignFactory, gift_add

pytestmark = pytest.mark.browser
HOSTILE = "<img src=x onerror=window.__pwned=1>"
LINES = "() => [...document.querySelector('span').shadowRoot.querySelectorAll('.w li')].map(li => li.textContent)"


@pytest.fixture
def lights(live_server, settings, widget_root):
    settings.SITE_URL = live_server.url
    campaign = SeedCampaignFactory(gifts=())
    in_thread(lambda: type(campaign).objects.filter(pk=campaign.pk).update(supporters_wall=True))
    gifts = [{"amount": 1000, "public_name": "Hedy", "tribute_kind": "memory", "tribute_name": HOSTILE,
              "tribute_on_wall": True},
             {"amount": 2000, "public_name": "Grace", "tribute_kind": "honour", "tribute_name": "Kept Private"}]
    in_thread(lambda: gift_add(campaign=campaign, gifts=gifts))  # fmt: skip
    return campaign


def test_the_wall_draws_an_allowed_dedication_as_text(live_server, lights, publisher, chromium):
    pages, origin = publisher
    snippet = embed_snippets(campaign=lights, options=WidgetOptions(supporters=True))["script"]
    pages["/post.html"] = f"<!doctype html><title>Post</title><body>{snippet}</body>"
    with chromium_browser(chromium) as browser:
        page = browser.new_page()
        page.goto(f"{origin}/post.html", wait_until="load")
        page.wait_for_function("() => document.querySelector('span')?.shadowRoot?.querySelector('.w li')",
                               timeout=10000)  # fmt: skip
        page.wait_for_timeout(300)
        page.screenshot(path=ARTIFACTS / "embed_wall_tribute.png")
        lines = page.evaluate(LINES)
        assert any(f"In memory of {HOSTILE}" in line and "Hedy" in line for line in lines), lines
        assert not any("Kept Private" in line for line in lines)
        assert page.evaluate("() => document.querySelector('span').shadowRoot.querySelectorAll('img').length") == 0
        assert page.evaluate("() => window.__pwned") is None
