"""In Chromium: open /c/demo/, choose an amount, pay on the stand-in's checkout page, come back to
the thanks page and see the bar include the gift. Screenshots land in tests/artifacts/."""


import pytest
from django.core.management import call_command

from fundraising.ledger.models import Donation
from tests.browser import ARTIFACTS, chromium_browser, in_thread
from tests.stripe_standin.server import SECRET_KEY, CheckoutStandIn

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(live_server, settings, widget_root):
    import stripe

    settings.SITE_URL = live_server.url
    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    with CheckoutStandIn(webhook_url=f"{live_server.url}/stripe/webhook/") as standin:
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_API_BASE = standin.url
        yield standin
    stripe.api_base = "https://api.stripe.com"


@pytest.fixture
def browser(chromium, demo):
    with chromium_browser(chromium) as browser:
        yield browser


def test_it_gives_through_the_page_and_sees_the_bar_move(live_server, demo, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside = []
    ours = (live_server.url, f"blob:{live_server.url}")  # blob: the widget's workers, made by the page itself
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(ours) else None)
    page.goto(f"{live_server.url}/c/demo/")
    assert "100 $" in page.locator(".fr-bar-raised").inner_text()
    page.screenshot(path=ARTIFACTS / "donate_mobile.png", full_page=True)
    assert not outside  # no fonts, scripts or images from other hosts

    page.get_by_label("25 $").check()  # the preset radio, reachable by its label
    page.get_by_label("Public name (optional)").fill("Grace")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{demo.url}/pay/cs_test_*", timeout=10000)
    assert "2500 USD" in page.locator("#amount").inner_text()
    page.locator("#pay").click()
    page.wait_for_url(f"{live_server.url}/c/demo/thanks/?session_id=cs_test_*", timeout=10000)
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you, Grace!"
    assert "125 $" in page.locator(".fr-bar-raised").inner_text()
    assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "12500"
    page.screenshot(path=ARTIFACTS / "thanks_mobile.png", full_page=True)
    assert demo.deliveries == [("checkout.session.completed", 200)]
    assert in_thread(lambda: Donation.objects.filter(public_name="Grace", status="succeeded", amount=2500).count()) == 1
    assert not errors


def test_it_shows_errors_next_to_the_field(live_server, demo, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{live_server.url}/c/demo/")
    page.get_by_label("Other amount").fill("12.3456")  # "12.345" has two readings: it is asked about
    assert page.get_by_label("Other", exact=True).is_checked()  # typing picks "Other"
    with page.expect_navigation():  # once the challenge is solved (tests/payments/test_challenge_widget.py)
        page.get_by_role("button", name="Continue to secure payment").click()
    error = page.locator("#amount-error")
    assert "at most 2 decimal places" in error.inner_text()
    assert page.get_by_label("Other amount").get_attribute("aria-invalid") == "true"
    page.screenshot(path=ARTIFACTS / "donate_desktop_error.png", full_page=True)
