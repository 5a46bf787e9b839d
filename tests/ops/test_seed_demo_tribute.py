"""In Chromium, on `make demo` offline: a donor dedicates a gift in memory of someone, pays on the local
test checkout, reads the dedication on the thank-you page, and the notice to the person they named is in
the demo's mailbox once, without the amount (the donor did not allow it)."""

import pytest

from tests.axe import axe_report, axe_required, axe_violations
from tests.browser import ARTIFACTS, chromium_browser

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "demo"
SUBJECT = "A gift to Keep the lights on: In memory of Ada Lovelace"


def test_a_donor_dedicates_a_gift_in_memory_of_someone(demo, chromium):
    axe_required()
    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 480, "height": 900})
        outside = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((demo, f"blob:{demo}")) else None)
        page.goto(f"{demo}/c/demo/")
        assert not page.get_by_label("Their name").is_visible()  # closed until asked for
        page.get_by_label("25 $").check()
        page.get_by_label("Public name (optional)").fill("Hedy")
        page.get_by_text("Dedicate this gift").click()
        page.get_by_label("In memory of").check()
        page.get_by_label("Their name").fill("Ada Lovelace")
        page.get_by_label("E-mail someone about it (optional)").fill("grace@example.com")
        page.screenshot(path=SHOTS / "demo-donate-tribute.png", full_page=True)
        page.get_by_role("button", name="Continue to secure payment").click()
        page.wait_for_url(f"{demo}/demo-checkout/cs_test_*/", timeout=10000)
        page.get_by_label("E-mail (stays on this computer)").fill("hedy@example.com")
        page.get_by_role("button", name="Pay (test, nothing is charged)").click()
        page.wait_for_url(f"{demo}/c/demo/thanks/?session_id=cs_test_*", timeout=10000)
        assert page.locator("#tribute-line").inner_text().startswith("Given in memory of Ada Lovelace.")
        page.screenshot(path=SHOTS / "demo-thanks-tribute.png", full_page=True)
        violations = axe_violations(page)
        assert not violations, axe_report("demo-thanks-tribute", violations)
        page.reload()  # the thanks page again: still one notice

        page.goto(f"{demo}/mailbox/")
        assert page.get_by_role("link", name=SUBJECT).count() == 1
        page.get_by_role("link", name=SUBJECT).click()
        page.wait_for_url(f"{demo}/mailbox/*/", timeout=10000)
        body = page.content()
        assert "grace@example.com" in body
        assert "Hedy made a gift to Keep the lights on and dedicated it as above." in body
        assert "25 $" not in body
        page.screenshot(path=SHOTS / "demo-mailbox-tribute.png", full_page=True)
        page.goto(f"{demo}/mailbox/")
        page.get_by_role("link", name="Receipt: 25 $ to Keep the lights on").first.click()
        page.wait_for_url(f"{demo}/mailbox/*/", timeout=10000)
        assert "In memory of Ada Lovelace" in page.content()
        assert not outside  # offline: nothing but this site
