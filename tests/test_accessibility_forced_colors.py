"""With forced colours (Windows High Contrast), in Chromium: the selected frequency and amount stand out
from the others, the bar's fill and track stay visible, and buttons keep an outline, on the donation
page, in the iframe and in the script widget. Screenshots land in tests/artifacts/forced_*.png."""

import pytest

from tests.browser import ARTIFACTS, chromium_browser
from tests.factories import SeedCampaignFactory

pytestmark = pytest.mark.browser

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Blog</title></head><body>
<script async src="{app}/static/fundraising/embed.js" data-campaign="lights"></script></body></html>"""

# Computed colours of a root (document or a shadow root): fill, track, button border.
BAR = """(root) => {
  const css = (sel, prop) => getComputedStyle(root.querySelector(sel))[prop];
  return {fill: css(FILL, 'backgroundColor'), track: css(TRACK, 'backgroundColor'),
          track_border: css(TRACK, 'borderTopWidth'), button_border: css(BUTTON, 'borderTopWidth'),
          button_border_style: css(BUTTON, 'borderTopStyle'), forced: matchMedia('(forced-colors: active)').matches};
}"""


def bar_colours(page, *, fill, track, button, root="document"):
    script = BAR.replace("FILL", repr(fill)).replace("TRACK", repr(track)).replace("BUTTON", repr(button))
    return page.evaluate(f"() => ({script})({root})")


def assert_bar_visible(colours):
    assert colours["forced"]
    assert colours["fill"] not in ("rgba(0, 0, 0, 0)", colours["track"]), colours
    assert colours["track_border"] != "0px", colours  # the track's extent shows even at 0 %
    assert colours["button_border"] != "0px" and colours["button_border_style"] == "solid", colours


@pytest.fixture
def lights(live_server, settings, widget_root):
    settings.SITE_URL = live_server.url
    settings.STRIPE_SECRET_KEY = "sk_test_not_called"
    return SeedCampaignFactory()


@pytest.fixture
def forced(chromium, lights):
    with chromium_browser(chromium) as browser:
        context = browser.new_context(
            forced_colors="active", color_scheme="dark", bypass_csp=True, device_scale_factor=2
        )
        yield context.new_page()


def test_it_shows_the_choice_and_the_bar_on_the_page(live_server, lights, forced):
    page = forced
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server.url}/c/lights/")
    page.get_by_label("25 $").check()
    page.get_by_label("Monthly").check()
    page.screenshot(path=ARTIFACTS / "forced_donate.png", full_page=True)
    assert_bar_visible(bar_colours(page, fill=".fr-bar-fill", track=".fr-bar-track", button=".fr-button"))
    styles = page.evaluate("""() => [...document.querySelectorAll('.fr-preset span, .fr-seg span')].map(s => ({
        checked: s.previousElementSibling.checked, bg: getComputedStyle(s).backgroundColor}))""")
    chosen = {s["bg"] for s in styles if s["checked"]}
    others = {s["bg"] for s in styles if not s["checked"]}
    assert len(chosen) == 1 and not chosen & others, styles


def test_it_shows_the_bar_in_the_iframe(live_server, lights, forced):
    page = forced
    page.set_viewport_size({"width": 520, "height": 296})
    page.goto(f"{live_server.url}/w/lights/?amounts=1")
    page.get_by_text("Monthly", exact=True).click()
    page.screenshot(path=ARTIFACTS / "forced_iframe.png")
    assert_bar_visible(bar_colours(page, fill=".fr-bar-fill", track=".fr-bar-track", button="a.donate"))
    chosen, other = (
        page.locator(f"label[for=kind-{kind}]").evaluate("l => getComputedStyle(l).backgroundColor")
        for kind in ("monthly", "one_time")
    )
    assert chosen != other, (chosen, other)


def test_it_shows_the_bar_in_the_script_widget(live_server, lights, publisher, forced):
    pages, origin = publisher
    pages["/post.html"] = HOST_PAGE.format(app=live_server.url)
    page = forced
    page.set_viewport_size({"width": 520, "height": 260})
    page.goto(f"{origin}/post.html")
    page.wait_for_function("() => document.querySelector('span')?.shadowRoot?.querySelector('.c')", timeout=10000)
    page.screenshot(path=ARTIFACTS / "forced_script.png")
    root = "document.querySelector('span').shadowRoot"
    assert_bar_visible(bar_colours(page, fill=".l", track=".b", button="a", root=root))


# Each entry of the supporters wall: its text and background, the separator under it, and the list's
# focus ring once focused by keyboard.
WALL = """(root) => {
  const list = root.querySelector(LIST), entry = list.querySelector('li'), css = getComputedStyle(entry);
  const ring = getComputedStyle(list);
  return {text: css.color, background: getComputedStyle(list).backgroundColor, name: entry.textContent,
          separator: css.borderBottomWidth + ' ' + css.borderBottomStyle + ' ' + css.borderBottomColor,
          focused: root.activeElement === list || document.activeElement === list,
          ring: ring.outlineWidth + ' ' + ring.outlineStyle};
}"""


def wall_read(page, *, list_selector, root="document"):
    return page.evaluate(f"() => ({WALL.replace('LIST', repr(list_selector))})({root})")


def assert_wall_readable(wall):
    assert wall["name"].startswith("Ada") and "Thank you for the lights" in wall["name"], wall
    assert wall["text"] != wall["background"], wall
    width, style, _ = wall["separator"].split(" ", 2)
    assert (width, style) == ("1px", "solid"), wall
    assert wall["focused"] and wall["ring"] == "3px solid", wall  # the scrolling list shows keyboard focus


@pytest.fixture
def with_wall(lights):
    from django.db import transaction

    from fundraising.campaigns.services import period_for
    from fundraising.ledger.services import ledger_changed
    from fundraising.widgets.services import snapshot_after_edit
    from tests.factories import DonationFactory

    lights.supporters_wall = True
    lights.save()
    period = period_for(campaign=lights)
    with transaction.atomic():
        DonationFactory(campaign=lights, period=period, public_name="Ada", message="Thank you for the lights")
        ledger_changed(period_id=period.pk)
    snapshot_after_edit(campaign_id=lights.pk)
    return lights


def test_it_keeps_the_supporters_wall_readable(live_server, with_wall, publisher, forced):
    page = forced
    page.set_viewport_size({"width": 520, "height": 520})
    page.goto(f"{live_server.url}/w/lights/?supporters=1")
    page.keyboard.press("Tab")  # the Donate link
    page.keyboard.press("Tab")  # the wall's list, focusable because it scrolls
    page.screenshot(path=ARTIFACTS / "forced_wall_iframe.png")
    assert_wall_readable(wall_read(page, list_selector=".wall-list"))

    pages, origin = publisher
    pages["/wall.html"] = HOST_PAGE.format(app=live_server.url).replace(
        'data-campaign="lights"', 'data-campaign="lights" data-supporters="1"'
    )
    page.goto(f"{origin}/wall.html")
    root = "document.querySelector('span').shadowRoot"
    page.wait_for_function(f"() => {root}?.querySelector('.w li')", timeout=10000)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.screenshot(path=ARTIFACTS / "forced_wall_script.png")
    assert_wall_readable(wall_read(page, list_selector=".w ol", root=root))
