"""In Chromium, every journey of `make demo` end to end, offline, as a newcomer walks them: the landing page,
give once (Cancel keeps the choices), give monthly, the receipt in the demo's mailbox, its manage link:
change the amount, update the card (the portal's stand-in), stop; the owner: dashboard, an offline gift;
then a month passes (demo_month_close) and the summary e-mail is in the mailbox. Screenshots land in
tests/artifacts/demo/; the docs' pictures of these journeys (docs/demo-*.png, docs/supporter-*.png,
docs/dashboard.png) are copies of them."""

import re

import pytest
from django.core.management import call_command

from tests.axe import axe_report, axe_required, axe_violations
from tests.browser import ARTIFACTS, chromium_browser, in_thread

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "demo"


def shot(page, name, *, accessible=False):
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)
    if accessible:  # the pages this issue added: no WCAG 2.1 A/AA violation axe-core can find
        violations = axe_violations(page)
        assert not violations, axe_report(name, violations)


def checkout(page, demo, email=None):
    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{demo}/demo-checkout/cs_test_*/", timeout=10000)
    if email:
        page.get_by_label("E-mail (stays on this computer)").fill(email)


def pay(page, demo):
    page.get_by_role("button", name="Pay (test, nothing is charged)").click()
    page.wait_for_url(f"{demo}/c/demo/thanks/?session_id=cs_test_*", timeout=10000)


def mail_open(page, demo, subject):
    page.goto(f"{demo}/mailbox/")
    page.get_by_role("link", name=subject).first.click()
    page.wait_for_url(f"{demo}/mailbox/*/", timeout=10000)


def test_it_walks_every_journey_of_the_demo(demo, chromium):
    axe_required()
    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 480, "height": 900})
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((demo, f"blob:{demo}")) else None)

        # The landing page: the campaign with its bar.
        page.goto(f"{demo}/")
        assert "100 $" in page.locator(".fr-bar-raised").inner_text()
        shot(page, "demo-landing", accessible=True)
        page.get_by_role("link", name="Give to Keep the lights on").click()
        page.wait_for_url(f"{demo}/c/demo/")

        # Give once: choose, go to the test checkout, Cancel keeps the choices, then pay.
        page.get_by_label("25 $").check()
        page.get_by_label("Public name (optional)").fill("Hedy")
        page.get_by_label("Message (optional)").fill("For the servers")
        shot(page, "demo-donate")
        checkout(page, demo)
        assert page.locator("#amount").inner_text() == "25 $"
        shot(page, "demo-checkout")
        page.get_by_role("link", name="Cancel and go back").click()
        page.wait_for_url(f"{demo}/c/demo/?cancelled=*", timeout=10000)
        assert page.get_by_label("25 $").is_checked()
        assert page.get_by_label("Public name (optional)").input_value() == "Hedy"
        assert page.get_by_label("Message (optional)").input_value() == "For the servers"
        checkout(page, demo, email="hedy@example.com")
        pay(page, demo)
        assert page.get_by_role("heading", level=1).inner_text() == "Thank you, Hedy!"
        assert "125 $" in page.locator(".fr-bar-raised").inner_text()
        shot(page, "demo-thanks")

        # Give monthly.
        page.goto(f"{demo}/c/demo/")
        page.get_by_label("Monthly").check()
        page.get_by_label("10 $").check()
        checkout(page, demo, email="grace@example.com")
        pay(page, demo)
        assert "135 $" in page.locator(".fr-bar-raised").inner_text()

        # The receipt in the demo's mailbox, and its manage link.
        mail_open(page, demo, "Receipt: 10 $ to Keep the lights on")
        assert "grace@example.com" in page.locator(".fr-lede").inner_text()
        shot(page, "supporter-receipt", accessible=True)
        page.locator("#text a[href*='/manage/']").first.click()
        page.wait_for_url(f"{demo}/c/demo/manage/*/", timeout=10000)
        manage = page.url
        assert page.locator(".fr-amount").inner_text() == "10 $"
        assert page.locator(".fr-years a").all_inner_texts() == [str(in_thread(this_year))]

        # Change the amount: confirmed by the signed customer.subscription.updated.
        page.get_by_label("New monthly amount").fill("15")
        page.get_by_role("button", name="Change amount").click()
        page.wait_for_url(manage, timeout=10000)
        assert page.locator(".fr-amount").inner_text() == "15 $"
        assert "could not" not in page.content() and page.locator(".fr-waiting").count() == 0
        shot(page, "supporter-manage-confirmed")

        # Update the card on the portal's stand-in, marked as a test.
        page.get_by_role("button", name="Update card").click()
        page.wait_for_url(f"{demo}/demo-portal/bps_test_*/", timeout=10000)
        assert page.locator("#test-mode").inner_text().startswith("LOCAL TEST CARD UPDATE: NOT STRIPE")
        shot(page, "demo-portal", accessible=True)
        page.get_by_role("button", name="Save the test card").click()
        page.wait_for_url(manage, timeout=10000)

        # Stop: after this month, then at once.
        page.get_by_role("button", name="Stop after this month").click()
        page.wait_for_url(manage, timeout=10000)
        assert "no further payment" in page.locator(".fr-gift-when").inner_text()
        page.get_by_role("button", name="Stop now").click()
        page.wait_for_url(manage, timeout=10000)
        assert "Stopped." in page.locator(".fr-gift-when").inner_text()
        shot(page, "supporter-manage-stopped")
        assert not outside  # offline: nothing but this site

        # The owner: sign in, the dashboard, an offline gift.
        owner = browser.new_page(viewport={"width": 1200, "height": 900})
        owner.goto(f"{demo}/admin/login/?next=/admin/")
        owner.locator("#id_username").fill("owner")
        owner.locator("#id_password").fill("demo-owner-password")
        owner.locator("input[type=submit]").click()
        owner.wait_for_url(f"{demo}/admin/", timeout=10000)
        campaign_id = in_thread(demo_campaign_id)
        owner.goto(f"{demo}/admin/campaigns/campaign/{campaign_id}/dashboard/")
        assert owner.get_by_role("img", name="Amount raised per month against the target").is_visible()
        shot(owner, "dashboard")
        owner.goto(f"{demo}/admin/ledger/donation/offline/")
        owner.locator("#id_amount").fill("40")
        owner.locator("#id_method").select_option(index=1)
        owner.locator("#id_name").fill("Bake sale")
        owner.get_by_role("button", name="Record the gift").click()
        owner.wait_for_url(f"{demo}/admin/ledger/donation/*/change/", timeout=10000)
        assert re.search(r"Recorded: 40 \$, counted in [A-Z]+ 20\d\d\.", owner.locator(".messagelist").inner_text())

        # A month passes: last month closes, its summary is in the mailbox, the new month starts at zero.
        in_thread(lambda: call_command("demo_month_close", stdout=open("/dev/null", "w")))  # noqa: SIM115
        mail_open(owner, demo, re.compile(r"Keep the lights on: .* closed at"))
        assert "owner@example.com" in owner.locator(".fr-lede").inner_text()
        assert "175 $" in owner.locator("#text").inner_text()  # 100 seeded + 25 + 10 + 40 offline
        shot(owner, "demo-month-summary", accessible=True)
        page.goto(f"{demo}/")
        assert page.locator(".fr-bar-raised").inner_text().startswith("0 $")


def this_year():
    from django.utils import timezone

    return timezone.now().year


def demo_campaign_id():
    from fundraising.campaigns.models import Campaign

    return Campaign.objects.get(slug="demo").pk
