"""In Chromium: the dashboard of the demo's two years reads in the admin's light and dark themes, and
embed.js draws each goal kind in its unit."""

import pytest
from django.core.management import call_command

from fundraising.campaigns.models import Campaign, Organization
from fundraising.campaigns.services import owner_add
from tests.browser import ARTIFACTS, chromium_browser
from tests.factories import CampaignFactory
from tests.goal_kinds import SETUPS

pytestmark = pytest.mark.browser

# WCAG contrast of each chart mark's computed colour against the page background.
CHART_CONTRAST = """() => {
  const lum = c => { const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => v / 255)
      .map(v => v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const bg = getComputedStyle(document.body).backgroundColor;
  const marks = ['.fr-chart rect.bar:not(.met)', '.fr-chart rect.bar.met', '.fr-chart line.target',
    '.fr-chart text.axis'];
  return Object.fromEntries(marks.map(sel => { const el = document.querySelector(sel), s = getComputedStyle(el);
    return [sel, ratio(el.tagName === 'line' ? s.stroke : s.fill, bg)]; }));
}"""


@pytest.fixture
def demo(live_server, settings, alice, widget_root):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", force=True)
    owner_add(organization=Organization.objects.get(name="Demo organisation"), user=alice)
    return Campaign.objects.get(slug="demo")


def login(page, base):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "password")
    page.click("input[type=submit]")


def test_it_shows_the_dashboard_in_light_and_dark(live_server, transactional_db, demo, chromium):
    with chromium_browser(chromium) as browser:
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport={"width": 1280, "height": 1100}, color_scheme=scheme)
            page = context.new_page()
            login(page, live_server.url)
            page.goto(f"{live_server.url}/admin/campaigns/campaign/{demo.pk}/dashboard/")
            assert page.locator(".fr-chart rect.bar").count() == 24
            assert page.locator(".fr-table tbody tr").count() == 24
            assert page.get_by_role("img", name="Amount raised per month against the target").is_visible()
            contrast = page.evaluate(CHART_CONTRAST)
            assert all(value >= 3 for value in contrast.values()), (scheme, contrast)
            page.screenshot(path=ARTIFACTS / f"dashboard_{scheme}.png")
            context.close()


EMBED_PAGE = """<!doctype html><meta charset="utf-8"><body style="max-width:560px">
<script src="{app}/static/fundraising/embed.js"></script>
<fundraising-progress campaign="amount"></fundraising-progress>
<fundraising-progress campaign="supporters"></fundraising-progress>
<fundraising-progress campaign="recurring" locale="fr_FR"></fundraising-progress></body>"""


def test_it_draws_each_goal_kind_with_the_script(
    live_server,
    transactional_db,
    widget_root,
    settings,
    chromium,
    publisher,
):
    settings.SITE_URL = live_server.url
    for kind, (target, gifts, _) in SETUPS.items():  # amount, supporters, recurring
        CampaignFactory(slug=kind, goal_kind=kind, monthly_target=target, gifts=gifts)
    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 600, "height": 520}, device_scale_factor=2)
        pages, origin = publisher
        pages["/goals.html"] = EMBED_PAGE.format(app=live_server.url)
        page.goto(f"{origin}/goals.html")
        page.wait_for_function(
            "() => [...document.querySelectorAll('fundraising-progress')]"
            ".every(h => h.shadowRoot && h.shadowRoot.querySelector('.r'))",
            timeout=10000,
        )
        texts = page.evaluate(
            "() => [...document.querySelectorAll('fundraising-progress')]"
            ".map(h => h.shadowRoot.querySelector('.r').textContent)"
        )
        page.screenshot(path=ARTIFACTS / "goal_kinds_script.png", full_page=True)
    assert texts[0] == "80 $ of 5,000 $ · 2 supporters"
    assert texts[1] == "37 of 50 monthly supporters · 460 $ raised"
    assert texts[2].replace("\u202f", " ").replace("\xa0", " ") == "1 200 $US sur 2 000 $US par mois · 3 soutiens"
