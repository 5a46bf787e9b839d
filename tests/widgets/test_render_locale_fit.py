"""French and German widgets in headless Chromium: the longer words fit and nothing overlaps."""

import datetime as dt

import pytest
from django.utils import timezone

from fundraising.campaigns.models import Period
from fundraising.widgets.services import snapshot_refresh
from tests.browser import ARTIFACTS, chromium_browser, in_thread
from tests.factories import SeedCampaignFactory, gift_add

pytestmark = pytest.mark.browser

# Every <text> box of the SVG as drawn by the browser (real glyph widths, not our estimate).
SVG_BOXES = """() => [...document.querySelectorAll('text')].map(t => {
  const b = t.getBBox(); return {text: t.textContent, x: b.x, y: b.y, right: b.x + b.width, bottom: b.y + b.height};
})"""


def overlaps(a, b):
    return a["x"] < b["right"] and b["x"] < a["right"] and a["y"] < b["bottom"] and b["y"] < a["bottom"]


@pytest.fixture
def phares(live_server, settings, widget_root):
    settings.SITE_URL = live_server.url
    campaign = SeedCampaignFactory(slug="phares", title="Gardons la lumière allumée pour toute l’association")
    campaign.locale, campaign.currency = "fr_FR", "eur"
    campaign.save()
    gift_add(campaign=campaign, gifts=[123456])  # a long raised amount near the middle of the bar
    return campaign


@pytest.fixture
def browser(chromium, phares):
    with chromium_browser(chromium) as browser:
        yield browser


def test_it_fits_french_and_german_words(live_server, phares, browser):
    page = browser.new_page(viewport={"width": 520, "height": 200}, device_scale_factor=2)
    for name, query in [("fr", ""), ("de", "?locale=de"), ("de_compact", "?locale=de&layout=compact")]:
        assert page.goto(f"{live_server.url}/w/phares.svg{query}").status == 200
        page.screenshot(path=ARTIFACTS / f"widget_svg_{name}.png")
        boxes = page.evaluate(SVG_BOXES)
        assert any("soutiens" in b["text"] or "Unterstützer" in b["text"] for b in boxes)
        for index, box in enumerate(boxes):
            assert box["x"] >= 0 and box["right"] <= 480, box
            for other in boxes[index + 1 :]:
                assert not overlaps(box, other), (box, other)

        assert page.goto(f"{live_server.url}/w/phares/{query}").status == 200
        page.screenshot(path=ARTIFACTS / f"widget_iframe_{name}.png")
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        donate = page.locator("a.donate")
        assert donate.inner_text() == ("Faire un don" if name == "fr" else "Spenden")
        percent, button = page.locator(".percent").bounding_box(), donate.bounding_box()
        assert percent["x"] + percent["width"] <= button["x"]  # side by side, not wrapped over each other
        month = page.locator(".fr-bar-month").bounding_box()
        title_text_right = page.evaluate(
            "() => { const t = document.querySelector('.title'); "
            "return t.getBoundingClientRect().right - parseFloat(getComputedStyle(t).paddingRight); }"
        )
        assert title_text_right <= month["x"]  # the ellipsis stops before the month label


def test_it_shows_french_words_through_embed_js(live_server, phares, publisher, browser):
    page = browser.new_page(viewport={"width": 620, "height": 300})
    pages, origin = publisher
    script = f"{live_server.url}/static/fundraising/embed.js"
    pages["/post.html"] = f'<p>Post</p><script async src="{script}" data-campaign="phares"></script>'
    page.goto(f"{origin}/post.html")
    ready = "() => { const h = document.querySelector('span'); return h?.shadowRoot?.querySelector('.c'); }"
    page.wait_for_function(ready, timeout=10000)
    page.screenshot(path=ARTIFACTS / "embed_fr.png")
    read = page.evaluate("""() => { const r = document.querySelector('span').shadowRoot;
      return {row: r.querySelector('.r').textContent, donate: r.querySelector('a').textContent,
              valuetext: r.querySelector('[role=progressbar]').getAttribute('aria-valuetext')}; }""")
    assert read["row"].endswith(" · 4 soutiens") and " sur " in read["row"]
    assert read["donate"] == "Faire un don"
    assert " collectés sur " in read["valuetext"]


def recomputed(campaign, when):
    Period.objects.filter(campaign=campaign).update(recomputed_at=when)
    snapshot_refresh(campaign_id=campaign.pk)


def test_it_says_how_long_ago_in_the_widgets_language(live_server, phares, publisher, browser):
    """The relative time comes from the JSON's CLDR words and Intl.PluralRules (singular and plural),
    not from Intl.RelativeTimeFormat, whose first use costs the host page 13 to 26 ms."""
    pages, origin = publisher
    script = f"{live_server.url}/static/fundraising/embed.js"
    pages["/fr.html"] = f'<script async src="{script}" data-campaign="phares"></script>'
    pages["/de.html"] = f'<script async src="{script}" data-campaign="phares" data-locale="de"></script>'
    stamped = "() => document.querySelector('span')?.shadowRoot?.querySelector('.u')?.textContent"
    for ago, path, expected in [
        (dt.timedelta(minutes=2, seconds=5), "/fr.html", "Mis à jour il y a 2 minutes"),
        (dt.timedelta(minutes=1, seconds=5), "/fr.html", "Mis à jour il y a 1 minute"),
        (dt.timedelta(seconds=10), "/fr.html", "Mis à jour à l’instant"),
        (dt.timedelta(hours=1, minutes=5), "/de.html", "Aktualisiert vor 1 Stunde"),
        (dt.timedelta(days=3, hours=2), "/de.html", "Aktualisiert vor 3 Tagen"),
    ]:
        in_thread(lambda ago=ago: recomputed(phares, timezone.now() - ago))
        page = browser.new_page()
        page.goto(f"{origin}{path}")
        page.wait_for_function(stamped, timeout=10000)
        assert page.evaluate(stamped) == expected
        page.close()
