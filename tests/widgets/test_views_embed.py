"""In Chromium, a page on another origin embeds the script, the custom element and the iframe:
they show the right figures and month, link to the donation page, and hostile CSS does not leak in."""

import pytest

from tests.browser import ARTIFACTS, chromium_browser
from tests.factories import SeedCampaignFactory

pytestmark = pytest.mark.browser

HOST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>A publisher's blog</title>
<style>
  .article * {{ display: none !important; }}
  div {{ color: red !important; font-family: serif !important; font-size: 30px !important; }}
  span, a {{ background: yellow !important; border: 5px dotted blue !important; }}
  .article span, fundraising-progress {{ visibility: hidden !important; opacity: 0 !important; }}
  body {{ font-family: serif; margin: 24px; max-width: 560px; }}
  iframe {{ border: 0; width: 100%; height: 180px; display: block; }}
</style></head><body>
<h1>Our monthly costs</h1>
<div class="article">
  <p>This paragraph is hidden by the page's own CSS.</p>
  <script async src="{app}/static/fundraising/embed.js" data-campaign="lights"></script>
  <noscript><img src="{app}/w/lights.svg" alt="Keep the lights on"></noscript>
</div>
<div class="article"><fundraising-progress campaign="lights" theme="dark" accent="#f59e0b"></fundraising-progress></div>
<h2>Same bar in an iframe</h2>
<iframe src="{app}/w/lights/" title="Fundraising progress"></iframe>
</body></html>"""

READ_WIDGETS = """() => [...document.querySelectorAll('span, fundraising-progress')]
  .filter(h => h.shadowRoot && h.shadowRoot.querySelector('.c'))
  .map(h => {
    const r = h.shadowRoot, t = r.querySelector('.t'), box = r.querySelector('.c').getBoundingClientRect();
    return {
      title: t.textContent, month: r.querySelector('.m').textContent,
      raised: r.querySelector('.r').textContent, href: r.querySelector('a').href,
      markers: [...r.querySelectorAll('.k span')].map(s => s.textContent),
      color: getComputedStyle(t).color, width: box.width, height: box.height,
      fill: r.querySelector('.l').style.width,
      shown: getComputedStyle(h).visibility + ' ' + getComputedStyle(h).opacity
        + ' ' + getComputedStyle(r.querySelector('a')).visibility,
    };
  })"""


@pytest.fixture
def browser(chromium, lights):
    with chromium_browser(chromium) as browser:
        yield browser


@pytest.fixture
def lights(live_server, settings, widget_root):
    settings.SITE_URL = live_server.url
    campaign = SeedCampaignFactory()
    from fundraising.campaigns.services import period_for

    return campaign, period_for(campaign=campaign).label


def test_it_renders_script_and_iframe_on_another_origin(live_server, lights, publisher, browser):
    _, month = lights
    pages, origin = publisher
    assert origin.split(":")[-1] != live_server.url.split(":")[-1]
    pages["/post.html"] = HOST_PAGE.format(app=live_server.url)
    page = browser.new_page(viewport={"width": 620, "height": 720})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{origin}/post.html")
    page.wait_for_function(
        "() => document.querySelectorAll('fundraising-progress, span').length >= 2 && "
        "[...document.querySelectorAll('span, fundraising-progress')]"
        ".filter(h => h.shadowRoot && h.shadowRoot.querySelector('.c')).length === 2",
        timeout=10000,
    )
    frame = page.frame_locator("iframe")
    frame.locator(".fr-bar-month").wait_for(timeout=10000)
    page.screenshot(path=ARTIFACTS / "embed_cross_origin.png", full_page=True)

    widgets = page.evaluate(READ_WIDGETS)
    assert len(widgets) == 2
    for widget in widgets:
        assert widget["title"] == "Keep the lights on"
        assert widget["month"] == month
        assert widget["raised"] == "100 $ of 5,000 $ · 3 supporters"
        assert widget["markers"] == ["0 $", "2,500 $", "5,000 $"]
        assert widget["href"] == f"{live_server.url}/c/lights/"
        assert widget["fill"] == "2%"
        assert widget["color"] != "rgb(255, 0, 0)"  # the page's `div { color: red }` did not leak in
        assert widget["width"] > 300 and 60 < widget["height"] < 200  # displayed despite `display:none !important`
        assert widget["shown"] == "visible 1 visible"  # despite `visibility: hidden; opacity: 0 !important`
    assert page.locator(".article > p").is_hidden()  # the hostile CSS itself is in force
    assert frame.locator(".fr-bar-month").inner_text() == month
    assert "100 $" in frame.locator(".fr-bar-raised").inner_text()
    assert frame.locator("[role=progressbar]").get_attribute("aria-valuenow") == "10000"
    donate = frame.locator("a.donate")
    assert donate.get_attribute("href") == f"{live_server.url}/c/lights/"
    assert donate.get_attribute("target") == "_blank"
    assert not errors


def test_it_looks_right_on_its_own(live_server, lights, browser):
    """Screenshots of what publishers see: the SVG and the iframe page, light and dark."""
    page = browser.new_page(viewport={"width": 520, "height": 200}, device_scale_factor=2)
    for name, path in [
        ("widget_svg", "/w/lights.svg"),
        ("widget_svg_dark_compact", "/w/lights.svg?theme=dark&layout=compact&accent=f59e0b"),
        ("widget_iframe", "/w/lights/"),
        ("widget_iframe_dark", "/w/lights/?theme=dark&accent=2563eb"),
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200
        page.screenshot(path=ARTIFACTS / f"{name}.png")
    assert page.locator("a.donate").is_visible()


@pytest.fixture
def crowded(lights):
    """The campaign's month with one more milestone, at 4,800 $, near its 5,000 $ target."""
    from fundraising.campaigns.services import period_for
    from tests.factories import MilestoneFactory, gift_add

    campaign, _ = lights
    MilestoneFactory(campaign=campaign, amount=480000, label="Almost")
    period = period_for(campaign=campaign)
    period.milestones = [*period.milestones, {"amount": 480000, "label": "Almost"}]
    period.save(update_fields=["milestones"])
    gift_add(campaign=campaign, gifts=[1000])  # the widgets are refreshed with it


def test_it_leaves_a_crowded_markers_label_blank(live_server, crowded, publisher, browser):
    """Milestones at 4,800 $ and 5,000 $: their labels would run together ("4,800 $5,000 $"), so the script,
    the iframe and the donation page leave 4,800 $ blank (its tick stays on the bar), as the SVG drops it."""
    pages, origin = publisher
    pages["/crowded.html"] = (
        f'<!doctype html><html><body style="max-width:360px"><script async src="{live_server.url}/w/lights.js">'
        f'</script><iframe src="{live_server.url}/w/lights/" title="Fundraising progress"></iframe></body></html>'
    )
    page = browser.new_page(viewport={"width": 360, "height": 640})
    page.goto(f"{origin}/crowded.html")
    page.wait_for_function("() => document.querySelector('span')?.shadowRoot?.querySelector('.c')", timeout=10000)
    script = page.evaluate(
        "() => [...document.querySelector('span').shadowRoot.querySelectorAll('.k span')].map(s => s.textContent)"
    )
    ticks = page.evaluate("() => document.querySelector('span').shadowRoot.querySelectorAll('.b .i').length")
    frame = page.frame_locator("iframe")
    frame.locator(".fr-bar-month").wait_for(timeout=10000)
    iframe = frame.locator(".fr-bar-marker").all_inner_texts()
    assert script == iframe == ["0 $", "2,500 $", "", "5,000 $"]
    assert ticks == 2
    assert frame.locator(".fr-bar-tick").count() == 2
