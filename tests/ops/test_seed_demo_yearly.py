"""In Chromium, on `make demo` offline: the demo offers "Yearly" beside one-time and monthly, and a yearly gift
goes through the demo's checkout to the thank-you page, a receipt that says "per year" and the month's yearly
figure. axe finds nothing on the page with Yearly chosen."""

import pytest

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from tests.axe import axe_report, axe_required, axe_violations
from tests.browser import ARTIFACTS, chromium_browser

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "demo"


def test_a_donor_gives_yearly_in_the_demo(demo, chromium):
    axe_required()
    yearly_before = Period.objects.get(campaign__slug="demo", closed_at__isnull=True).yearly_raised
    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 480, "height": 1000})
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((demo, f"blob:{demo}")) else None)
        page.goto(f"{demo}/c/demo/")
        page.get_by_label("Yearly").check()
        page.get_by_label("50 $").check()
        violations = axe_violations(page)
        assert not violations, axe_report("demo-donate-yearly", violations)
        page.screenshot(path=SHOTS / "demo-donate-yearly.png", full_page=True)
        page.get_by_role("button", name="Continue to secure payment").click()
        page.wait_for_url(f"{demo}/demo-checkout/cs_test_*/", timeout=10000)
        assert page.locator("#amount").inner_text() == "50 $"
        page.get_by_label("E-mail (stays on this computer)").fill("ada@example.com")
        page.get_by_role("button", name="Pay (test, nothing is charged)").click()
        page.wait_for_url(f"{demo}/c/demo/thanks/?session_id=cs_test_*", timeout=10000)
        lede = page.locator(".fr-lede").inner_text()
        assert lede.startswith("Your yearly gift of 50 $ to Keep the lights on is set up."), lede
        page.goto(f"{demo}/mailbox/")
        receipt = page.get_by_role("link", name="Receipt: 50 $ to Keep the lights on")
        receipt.first.wait_for(timeout=10000)
        receipt.first.click()
        page.wait_for_url(f"{demo}/mailbox/*/", timeout=10000)
        assert "per year" in page.content()
        assert not outside  # offline: nothing but this site

    gift = Donation.objects.get(donor_email="ada@example.com")
    assert (gift.kind, gift.amount, gift.status) == ("yearly", 5000, "succeeded")
    period = Period.objects.get(campaign__slug="demo", closed_at__isnull=True)
    assert period.yearly_raised == yearly_before + 5000  # the breakdown ran in the request (no broker in the demo)
