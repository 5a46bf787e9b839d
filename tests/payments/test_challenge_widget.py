"""A person in Chromium: the ALTCHA widget (served from our origin) solves the challenge when they send the form,
and they reach checkout; the page stays axe clean. Also what the challenge costs a browser at its default."""

import base64
import json
import time

import pytest

from fundraising.ledger.models import Donation
from tests.axe import axe_report, axe_required, axe_violations
from tests.browser import ARTIFACTS, chromium_browser, in_thread
from tests.stripe_standin.server import SECRET_KEY, CheckoutStandIn

pytestmark = pytest.mark.browser

# Solve once through the widget's own verify(): (milliseconds until "verified", the payload's own solve time).
SOLVE = """async () => {
  const widget = document.querySelector('altcha-widget');
  const started = performance.now();
  const done = new Promise(resolve =>
    widget.addEventListener('verified', e => resolve(e.detail.payload), {once: true}));
  widget.verify();
  const payload = await done;
  return [performance.now() - started, payload];
}"""


@pytest.fixture
def standin(live_server, settings, widget_root, campaign):
    import stripe

    settings.SITE_URL = live_server.url
    with CheckoutStandIn(webhook_url=f"{live_server.url}/stripe/webhook/") as standin:
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_API_BASE = standin.url
        yield standin
    stripe.api_base = "https://api.stripe.com"


def test_a_person_sends_the_form_and_reaches_checkout(live_server, standin, chromium):
    axe_required()
    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(f"{live_server.url}/c/lights/")
        page.wait_for_function("() => customElements.get('altcha-widget') !== undefined")
        violations = axe_violations(page)
        assert not violations, axe_report("donate_challenge", violations)
        page.get_by_label("Other amount").fill("12.50")
        page.get_by_label("Public name (optional)").fill("Grace")
        page.locator("button[type=submit]").click()  # the widget solves first, then the form goes
        page.wait_for_url(f"{standin.url}/**", timeout=30_000)
        page.screenshot(path=ARTIFACTS / "challenge_checkout.png", full_page=True)
    donation = in_thread(lambda: Donation.objects.get())
    assert (donation.amount, donation.public_name, donation.status) == (1250, "Grace", "pending")
    assert donation.stripe_checkout_session_id


def test_a_page_without_javascript_says_why_the_form_needs_it(live_server, standin, chromium):
    with chromium_browser(chromium) as browser:
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(f"{live_server.url}/c/lights/")
        assert "This form needs JavaScript" in page.locator("#challenge-noscript").inner_text()
        page.get_by_label("Other amount").fill("12.50")
        page.locator("button[type=submit]").click()
        page.wait_for_load_state("load")
        assert "Please wait for the check" in page.locator("#error-summary").inner_text()
    assert in_thread(lambda: Donation.objects.count()) == 0


def test_the_default_challenge_costs_a_browser_well_under_a_second(live_server, standin, chromium, settings):
    settings.ALTCHA_DIFFICULTY = difficulty = 2000  # the default in fundraising/settings.py (tests run with 4)
    timings = []
    with chromium_browser(chromium) as browser:
        page = browser.new_page()
        for _ in range(5):
            page.goto(f"{live_server.url}/c/lights/")
            page.wait_for_function("() => customElements.get('altcha-widget') !== undefined")
            wall, payload = page.evaluate(SOLVE)
            solution = json.loads(base64.b64decode(payload))["solution"]
            timings.append((round(wall), round(solution["time"]), solution["counter"]))
    (ARTIFACTS / "challenge_timings.txt").write_text(f"{time.ctime()} difficulty={difficulty} {timings}\n")
    print("widget ms, solve ms, counter:", timings)
    assert sorted(solve for _, solve, _ in timings)[2] < 1000, timings  # the median, on a shared, loaded machine
