"""In Chromium at 1280 px, with the demo's data: every list an owner works with, and the dashboard's table,
shows all its columns without a sideways scroll (issue #26: key columns sat off-screen)."""

import pytest
from django.core.management import call_command

from fundraising.campaigns.models import Campaign, GoalKind, Organization
from fundraising.campaigns.services import campaign_update, owner_add
from tests.browser import ARTIFACTS, admin_login, chromium_browser, in_thread

pytestmark = pytest.mark.browser

LISTS = [
    "/admin/campaigns/campaign/",
    "/admin/campaigns/period/",
    "/admin/ledger/donation/",
    "/admin/supporters/monthlygift/",
    "/admin/supporters/notice/",
    "/admin/integrations/endpoint/",
    "/admin/integrations/delivery/",
    "/admin/payments/unmatchedpayment/",
]

# Width each table needs beyond what it is given (0 when everything fits), and the page's own overflow.
OVERFLOW = """() => {
  const tables = [...document.querySelectorAll('.results, .fr-scroll, .fr-table')];
  const page = document.documentElement.scrollWidth - window.innerWidth;
  return {page, tables: tables.map(t => t.scrollWidth - t.clientWidth)};
}"""


@pytest.fixture
def demo(live_server, settings, alice, widget_root):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", force=True)
    owner_add(organization=Organization.objects.get(name="Demo organisation"), user=alice)
    return Campaign.objects.get(slug="demo")


def test_it_fits_every_owner_list_and_the_dashboard_in_1280_px(live_server, transactional_db, demo, chromium):
    dashboard = in_thread(lambda: f"/admin/campaigns/campaign/{demo.pk}/dashboard/")
    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        admin_login(page, live_server.url)
        too_wide = {}
        def measure(url, name):
            response = page.goto(live_server.url + url)
            assert response.status == 200, url
            overflow = page.evaluate(OVERFLOW)
            if overflow["page"] > 0 or any(width > 1 for width in overflow["tables"]):
                too_wide[name] = overflow
                page.screenshot(path=ARTIFACTS / f"too_wide_{name.strip('/').replace('/', '_')}.png", full_page=True)

        for url in [*LISTS, dashboard]:  # the demo offers yearly gifts: the dashboard's Yearly column too
            measure(url, url)
        page.screenshot(path=ARTIFACTS / "dashboard_1280.png")  # the last page: the dashboard
        # The widest table: a goal other than the amount adds a Goal column (seventeen with Yearly).
        in_thread(lambda: campaign_update(campaign=Campaign.objects.get(pk=demo.pk), goal_kind=GoalKind.SUPPORTERS,
                                          monthly_target=200))  # fmt: skip
        measure(dashboard, "dashboard-supporters-goal")
        assert page.get_by_role("columnheader", name="Goal", exact=True).count() == 1
        assert page.get_by_role("columnheader", name="Yearly", exact=True).count() == 1
        assert too_wide == {}
