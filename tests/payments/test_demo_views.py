"""In Chromium, as `make demo` runs (DEBUG=1, STRIPE_DEMO_CHECKOUT=1, no Stripe key, no network): choose
25 $, pass the local test checkout page, Pay, see the bar move on the thanks page; and Cancel.
Screenshots land in tests/artifacts/ (docs/demo-*.png come from tests/ops/test_seed_demo_journeys.py)."""

import pytest
from django.core.management import call_command

from fundraising.ledger.models import Donation
from tests.browser import ARTIFACTS, chromium_browser, in_thread

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_server, settings, widget_root):
    settings.SITE_URL = live_server.url
    settings.DEBUG, settings.STRIPE_DEMO_CHECKOUT, settings.STRIPE_SECRET_KEY = True, True, ""
    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return live_server.url


@pytest.fixture
def page(chromium, demo):
    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 480, "height": 900})
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((demo, f"blob:{demo}")) else None)
        yield page
        assert not outside  # offline: nothing but this site


def test_it_gives_25_through_the_local_test_checkout(demo, page):
    page.goto(f"{demo}/c/demo/")
    assert "100 $" in page.locator(".fr-bar-raised").inner_text()
    assert page.get_by_role("alert").count() == 0  # no red "not set up" box
    page.get_by_label("25 $").check()
    page.get_by_label("Public name (optional)").fill("Hedy")
    page.screenshot(path=ARTIFACTS / "demo-donate.png", full_page=True)
    page.get_by_role("button", name="Continue to secure payment").click()

    page.wait_for_url(f"{demo}/demo-checkout/cs_test_*/", timeout=10000)
    assert page.title() == "Local test payment (not Stripe)"
    assert page.locator("#test-mode").inner_text().startswith("LOCAL TEST PAYMENT: NOT STRIPE")  # uppercase CSS
    assert page.locator("#amount").inner_text() == "25 $"
    page.screenshot(path=ARTIFACTS / "demo-checkout.png", full_page=True)
    page.get_by_role("button", name="Pay (test, nothing is charged)").click()

    page.wait_for_url(f"{demo}/c/demo/thanks/?session_id=cs_test_*", timeout=10000)
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you, Hedy!"
    assert "125 $" in page.locator(".fr-bar-raised").inner_text()
    assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "12500"
    page.screenshot(path=ARTIFACTS / "demo-thanks.png", full_page=True)
    counted = in_thread(lambda: list(Donation.objects.filter(public_name="Hedy").values_list("status", "amount")))
    assert counted == [("succeeded", 2500)]

    page.goto(f"{demo}/c/demo/")  # the campaign page and its widget agree
    assert "125 $" in page.locator(".fr-bar-raised").inner_text()


def test_it_cancels_back_to_the_campaign_without_a_gift(demo, page):
    page.goto(f"{demo}/c/demo/")
    page.get_by_label("10 $").check()
    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{demo}/demo-checkout/cs_test_*/", timeout=10000)
    page.get_by_role("link", name="Cancel and go back").click()
    page.wait_for_url(f"{demo}/c/demo/?cancelled=*", timeout=10000)  # only the pending gift's id comes back
    assert "100 $" in page.locator(".fr-bar-raised").inner_text()
    assert page.get_by_label("10 $").is_checked()  # the donor's choice is kept
    this_month = Donation.objects.filter(status="succeeded", period__closed_at__isnull=True)  # not the history
    assert in_thread(lambda: this_month.count()) == 3  # the seeded gifts only


def test_it_finds_no_axe_violation_on_the_local_checkout(demo, page):
    from tests.axe import axe_report, axe_required, axe_violations

    axe_required()
    for kind in ("one_time", "monthly"):
        page.goto(f"{demo}/c/demo/")
        assert not axe_violations(page)
        page.get_by_label("Monthly" if kind == "monthly" else "One-time").check()
        page.get_by_label("Other amount").fill("12.50")
        page.get_by_role("button", name="Continue to secure payment").click()
        page.wait_for_url(f"{demo}/demo-checkout/cs_test_*/", timeout=10000)
        assert page.locator("#amount").inner_text() == "12.50 $"
        assert ("every month" in page.locator(".fr-demo-amount").inner_text()) == (kind == "monthly")
        violations = axe_violations(page)
        assert not violations, axe_report(f"demo_checkout_{kind}", violations)
    page.get_by_label("E-mail (stays on this computer)").fill("not an address")
    page.get_by_role("button", name="Pay (test, nothing is charged)").click()
    assert page.locator("#email-error").inner_text() == "Enter a valid email address."
    violations = axe_violations(page)
    assert not violations, axe_report("demo_checkout_error", violations)
