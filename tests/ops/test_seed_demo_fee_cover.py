"""In Chromium, on `make demo` offline: a donor covers the card fees, once and then monthly. The box shows the
cover of the amount being chosen as it changes, Checkout lists it as its own line, the thank-you page and the
receipt in the demo's mailbox show the gift and the cover. axe finds nothing on the page with the box."""

import pytest

from fundraising.ledger.models import Donation
from tests.axe import axe_report, axe_required, axe_violations
from tests.browser import ARTIFACTS, chromium_browser

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "demo"


def give(page, demo, *, kind, email):
    page.get_by_role("button", name="Continue to secure payment").click()
    page.wait_for_url(f"{demo}/demo-checkout/cs_test_*/", timeout=10000)
    lines = page.locator("#lines").inner_text()
    assert "Card fees covered: 1.06 $" in lines, lines
    assert page.locator("#amount").inner_text() == "26.06 $"
    page.get_by_label("E-mail (stays on this computer)").fill(email)
    page.get_by_role("button", name="Pay (test, nothing is charged)").click()
    page.wait_for_url(f"{demo}/c/demo/thanks/?session_id=cs_test_*", timeout=10000)


def test_a_donor_covers_the_fees_once_and_monthly(demo, chromium):
    axe_required()
    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 480, "height": 1000})
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((demo, f"blob:{demo}")) else None)
        page.goto(f"{demo}/c/demo/")
        box = page.get_by_label("to cover the card fees")
        page.get_by_label("50 $").check()
        assert page.locator("#fee-cover-amount").inner_text() == "1.81 $"  # the preset's cover, the server's text
        page.get_by_label("Other amount").fill("40")
        assert page.locator("#fee-cover-amount").inner_text() == "1.51 $"  # computed as typed: ceil(4030/0.971)
        page.get_by_label("Other amount").fill("")
        page.get_by_label("25 $").check()
        assert page.locator("#fee-cover-amount").inner_text() == "1.06 $"
        box.check()
        violations = axe_violations(page)
        assert not violations, axe_report("demo-donate-fee-cover", violations)
        page.screenshot(path=SHOTS / "demo-donate-fee-cover.png", full_page=True)
        give(page, demo, kind="one_time", email="hedy@example.com")
        line = page.locator("#fee-cover-line").inner_text()
        assert line == "You also covered the card fees: 1.06 $, 26.06 $ in all.", line
        assert "Your gift of 25 $" in page.locator(".fr-lede").inner_text()
        page.screenshot(path=SHOTS / "demo-thanks-fee-cover.png", full_page=True)

        page.goto(f"{demo}/c/demo/")
        page.get_by_label("Monthly").check()
        page.get_by_label("25 $").check()
        page.get_by_label("to cover the card fees").check()
        give(page, demo, kind="monthly", email="grace@example.com")
        line = page.locator("#fee-cover-line").inner_text()
        assert line == "You also cover the card fees: 1.06 $ a month, 26.06 $ in all each month.", line

        for email in ("hedy@example.com", "grace@example.com"):
            page.goto(f"{demo}/mailbox/")
            page.get_by_role("link", name="Receipt: 26.06 $ to Keep the lights on").first.wait_for(timeout=10000)
        page.goto(f"{demo}/mailbox/")
        receipts = page.get_by_role("link", name="Receipt: 26.06 $ to Keep the lights on")
        assert receipts.count() == 2
        receipts.first.click()
        page.wait_for_url(f"{demo}/mailbox/*/", timeout=10000)
        body = page.content()
        assert "Of which your gift" in body and "Of which card fees covered" in body and "1.06 $" in body
        page.screenshot(path=SHOTS / "demo-receipt-fee-cover.png", full_page=True)
        assert "per month" in body  # the monthly gift's receipt: its manage link drops the cover
        manage = page.locator("a[href*='/c/demo/manage/']").first.get_attribute("href")
        page.goto(manage)
        assert page.locator(".fr-gift-fee-cover").inner_text() == "and 1.06 $ a month to cover the card fees"
        page.get_by_role("button", name="Stop covering the fees").click()
        page.wait_for_url(manage, timeout=10000)
        page.reload()  # the stand-in delivered customer.subscription.updated before answering
        assert page.locator(".fr-gift-fee-cover").count() == 0
        assert page.get_by_role("button", name="Stop covering the fees").count() == 0
        assert page.locator(".fr-amount").first.inner_text() == "25 $"
        violations = axe_violations(page)
        assert not violations, axe_report("demo-manage-fee-cover", violations)
        assert not outside  # offline: nothing but this site

    covered = Donation.objects.filter(fee_cover=106).order_by("created_at")
    assert [(d.kind, d.amount, d.status) for d in covered] == [
        ("one_time", 2606, "succeeded"), ("monthly", 2606, "succeeded"),
    ]  # fmt: skip
