"""After an invalid submission, in Chromium on a phone: focus is on an error summary at the top of the
page, within the first screen; the title says there is an error; the status region announces it."""

import pytest

from tests.browser import ARTIFACTS, chromium_browser
from tests.factories import SeedCampaignFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def lights(live_server, settings, widget_root):
    settings.STRIPE_SECRET_KEY = "sk_test_not_called"
    return SeedCampaignFactory()


@pytest.fixture
def browser(chromium, lights):
    with chromium_browser(chromium) as browser:
        yield browser


def test_it_focuses_a_summary_of_the_errors(live_server, lights, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/c/lights/")
    assert page.title() == "Support Keep the lights on"
    assert page.locator("#fr-status").inner_text() == ""
    page.get_by_label("Other amount").fill("abc")
    page.locator("button[type=submit]").click()
    page.wait_for_function("() => document.getElementById('fr-status').textContent !== ''")
    page.screenshot(path=ARTIFACTS / "donate_error_mobile.png")
    assert page.title() == "Error: Support Keep the lights on"
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    box = page.locator("#error-summary").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844  # on the first screen
    summary = page.locator("#error-summary")
    assert summary.get_by_role("heading").inner_text() == "There is a problem"
    link = summary.get_by_role("link")
    assert "amount" in link.inner_text().lower() and link.get_attribute("href") == "#id_custom_amount"
    status = page.locator("#fr-status")
    assert status.get_attribute("role") == "status" and "There is a problem" in status.inner_text()
    link.click()
    assert page.evaluate("() => document.activeElement.id") == "id_custom_amount"
