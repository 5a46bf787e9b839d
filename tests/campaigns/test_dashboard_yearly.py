"""In Chromium, on `make demo` (DEBUG, the local test checkout, the seeded history): the owner offers yearly gifts,
a supporter gives 120 $ a year through the same form and checkout, and the dashboard counts it whole in this
month's money and as a twelfth (10 $) in the run-rate, saying so; the receipt says "per year" and its manage
link changes the yearly amount (the run-rate follows at the next payment, not before). axe-core finds no
violation on the pages the supporter sees. Screenshots land in tests/artifacts/yearly/."""

import re

import pytest

from fundraising.campaigns.models import Campaign, Organization
from fundraising.campaigns.services import campaign_update, owner_add
from tests.axe import axe_report, axe_required, axe_violations
from tests.browser import ARTIFACTS, admin_login, chromium_browser, in_thread

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "yearly"


@pytest.fixture
def demo(demo, alice):
    """The demo (tests/conftest.py), Alice one of its organisation's owners, yearly gifts not offered yet (the demo
    offers them: this test is the owner turning them on)."""
    owner_add(organization=Organization.objects.get(campaigns__slug="demo"), user=alice)
    campaign_update(campaign=Campaign.objects.get(slug="demo"), yearly_gifts=False)
    SHOTS.mkdir(parents=True, exist_ok=True)
    return demo


def shot(page, name, *, accessible=False):
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    if accessible:
        violations = axe_violations(page)
        assert not violations, axe_report(name, violations)


def dollars(text):
    """'1,234 $' -> 1234 (the demo's pattern shows whole dollars)."""
    return int(re.sub(r"[^\d]", "", text))


def run_rate(page):
    return dollars(page.locator("section[aria-labelledby=c-rate] .big").inner_text())


@pytest.mark.django_db(transaction=True)
def test_a_yearly_gift_counts_whole_this_month_and_as_a_twelfth_in_the_run_rate(demo, chromium):
    axe_required()
    campaign_id = in_thread(lambda: Campaign.objects.get(slug="demo").pk)
    dashboard = f"{demo}/admin/campaigns/campaign/{campaign_id}/dashboard/"
    with chromium_browser(chromium) as browser:
        owner = browser.new_page(viewport={"width": 1280, "height": 1100})
        admin_login(owner, demo)
        owner.goto(dashboard)
        before = run_rate(owner)
        assert owner.locator("#run-rate-yearly").count() == 0  # not offered, none paid: nothing to say

        # The owner offers yearly gifts (off by default).
        owner.goto(f"{demo}/admin/campaigns/campaign/{campaign_id}/change/")
        owner.get_by_label("Offer yearly gifts").check()
        owner.locator("input[name=_continue]").click()
        owner.wait_for_load_state()
        assert in_thread(lambda: Campaign.objects.get(pk=campaign_id).yearly_gifts)

        # A supporter gives 120 $ a year through the same form and checkout.
        page = browser.new_page(viewport={"width": 480, "height": 900})
        page.goto(f"{demo}/c/demo/")
        page.get_by_label("Yearly").check()
        page.get_by_label("Other amount").fill("120")
        shot(page, "donate-yearly", accessible=True)
        page.get_by_role("button", name="Continue to secure payment").click()
        page.wait_for_url(f"{demo}/demo-checkout/cs_test_*/", timeout=10000)
        assert page.locator(".fr-demo-amount").inner_text() == "Pay 120 $ every year"
        page.get_by_label("E-mail (stays on this computer)").fill("yearly@example.com")
        shot(page, "checkout-yearly", accessible=True)
        page.get_by_role("button", name="Pay (test, nothing is charged)").click()
        page.wait_for_url(f"{demo}/c/demo/thanks/?session_id=cs_test_*", timeout=10000)
        assert "Your yearly gift of 120 $" in page.locator(".fr-lede").inner_text()
        shot(page, "thanks-yearly", accessible=True)

        # The dashboard: 120 $ in this month's Yearly column, a twelfth (10 $) more in the run-rate, said so.
        owner.goto(dashboard)
        assert run_rate(owner) == before + 10
        assert owner.locator("#run-rate-yearly").inner_text() == "includes yearly gifts as 1/12"
        headers = [text.strip() for text in owner.locator(".fr-table thead th").all_text_contents()]
        newest = owner.locator(".fr-table tbody tr").first.locator("th, td").all_text_contents()
        row = dict(zip(headers, newest, strict=True))
        assert dollars(row["Yearly"]) == 120
        assert dollars(row["Run-rate (yearly as 1/12)"]) == before + 10
        owner.locator("section[aria-labelledby=c-rate]").screenshot(path=SHOTS / "dashboard-run-rate.png")
        shot(owner, "dashboard-yearly")

        # The receipt in the demo's mailbox: per year, the next payment a year on, the manage link.
        page.goto(f"{demo}/mailbox/")
        page.get_by_role("link", name="Receipt: 120 $ to Keep the lights on").first.click()
        page.wait_for_url(f"{demo}/mailbox/*/", timeout=10000)
        assert "120 $ per year" in page.content()
        assert "Manage your yearly gift" in page.content()
        shot(page, "receipt-yearly", accessible=True)
        page.locator("#text a[href*='/manage/']").first.click()
        page.wait_for_url(f"{demo}/c/demo/manage/*/", timeout=10000)
        manage = page.url
        assert page.locator(".fr-gift-amount").inner_text() == "120 $ per year"

        # A new yearly amount, confirmed by the stand-in's signed event; it takes effect at the next payment.
        page.get_by_label("New yearly amount").fill("240")
        page.get_by_role("button", name="Change amount").click()
        page.wait_for_url(manage, timeout=10000)
        assert page.locator(".fr-gift-amount").inner_text() == "240 $ per year"
        assert page.get_by_role("button", name="Stop after this year").is_visible()
        shot(page, "manage-yearly", accessible=True)
        owner.goto(dashboard)
        assert run_rate(owner) == before + 10
