"""In Chromium, as a supporter would: give monthly on /c/demo/, read the receipt (file mail backend),
open its manage link, change the amount to 15 $ and see "waiting for confirmation" until the stand-in
posts the signed customer.subscription.updated, then 15 $ (and the owner's recurring figure moves);
stop at the end of the month; update the card through the stand-in portal; a tampered or expired link
answers a clear page. axe-core finds no WCAG 2.1 A/AA violation on these pages or the receipt.
Screenshots land in tests/artifacts/."""

import datetime
import email
import email.policy
import re

import pytest
from django.core.management import call_command

from fundraising.campaigns.models import Organization
from fundraising.campaigns.services import owner_add
from tests.axe import axe_report, axe_required, axe_violations
from tests.browser import ARTIFACTS, chromium_browser, in_thread
from tests.stripe_standin.server import SECRET_KEY, CheckoutStandIn

pytestmark = pytest.mark.browser


def seeded_recurring():
    """What the demo's seeded subscriptions bring each month (minor units) and how many they are."""
    from fundraising.payments.models import SubscriptionState

    seeded = SubscriptionState.objects.filter(
        subscription_id__startswith="sub_demo_", status__in=["active", "past_due"], cancel_at_period_end=False
    )
    return sum(seeded.values_list("amount", flat=True)), seeded.count()


def format_usd(minor):
    from fundraising.campaigns.models import Campaign

    return Campaign(currency="usd", locale="en_US", amount_pattern="#,##0 ¤").format(minor)


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def messages_in(mailbox):
    """Every message the file backend wrote, parsed: [(to, subject, text, html)]."""
    found = []
    for path in sorted(mailbox.glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.strip().encode(), policy=email.policy.default)
            parts = {p.get_content_type(): p.get_content() for p in message.walk() if not p.is_multipart()}
            found.append((message["To"], message["Subject"], parts["text/plain"], parts["text/html"]))
    return found


@pytest.fixture
def demo(live_server, settings, widget_root, mailbox):
    import stripe
    from django.contrib.auth import get_user_model

    settings.SITE_URL = live_server.url
    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    owner = get_user_model().objects.create_user("alice", password="alice-password")
    owner_add(organization=Organization.objects.get(campaigns__slug="demo"), user=owner)
    with CheckoutStandIn(webhook_url=f"{live_server.url}/stripe/webhook/") as standin:
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_API_BASE = standin.url
        yield standin
    stripe.api_base = "https://api.stripe.com"


@pytest.mark.django_db(transaction=True)
def test_it_manages_a_monthly_gift_without_an_account(live_server, demo, mailbox, chromium, settings):
    axe_required()

    def accessible(page, name):
        violations = axe_violations(page)
        assert not violations, axe_report(name, violations)

    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 420, "height": 900}, device_scale_factor=2)
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        # Give 25 $ a month.
        page.goto(f"{live_server.url}/c/demo/")
        page.get_by_label("Monthly").check()
        page.get_by_label("25 $").check()
        page.get_by_role("button", name="Continue to secure payment").click()
        page.wait_for_url(f"{demo.url}/pay/cs_test_*", timeout=10000)
        page.locator("input[name=email]").fill("grace@example.com")
        page.locator("#pay").click()
        page.wait_for_url(f"{live_server.url}/c/demo/thanks/?session_id=cs_test_*", timeout=10000)

        # The receipt: one, to her, with the amount and the manage link, in text and HTML.
        (to, subject, text, html) = in_thread(lambda: messages_in(mailbox))[-1]
        assert (to, subject) == ("grace@example.com", "Receipt: 25 $ to Keep the lights on")
        assert "25 $ per month" in text and "Next payment" in text
        link = re.search(r"(http://\S+/c/demo/manage/\S+/)", text).group(1)
        assert link in html
        page.set_content(html)
        page.screenshot(path=ARTIFACTS / "supporter_receipt.png", full_page=True)
        accessible(page, "receipt_html")

        # The manage page, from the receipt's link.
        page.goto(link)
        assert page.locator(".fr-amount").inner_text() == "25 $"
        assert "Next payment on" in page.locator(".fr-gift-when").inner_text()

        # Change to 15 $: Stripe is asked, the page waits for its webhook.
        page.get_by_label("New monthly amount").fill("15")
        page.get_by_role("button", name="Change amount").click()
        assert "waiting for confirmation" in page.locator(".fr-waiting").inner_text()
        assert page.locator(".fr-amount").inner_text() == "25 $"
        page.screenshot(path=ARTIFACTS / "supporter_manage_waiting.png", full_page=True)
        accessible(page, "manage_waiting")
        assert demo.deliver_queued() == ["customer.subscription.updated"]
        assert demo.deliveries[-1] == ("customer.subscription.updated", 200)
        page.reload()
        assert page.locator(".fr-amount").inner_text() == "15 $"
        assert page.locator(".fr-waiting").count() == 0
        page.screenshot(path=ARTIFACTS / "supporter_manage_confirmed.png", full_page=True)

        # The owner's recurring figure follows Stripe's confirmation.
        owner = browser.new_page(viewport={"width": 1200, "height": 700})
        owner.goto(f"{live_server.url}/admin/login/?next=/admin/supporters/monthlygift/")
        owner.locator("#id_username").fill("alice")
        owner.locator("#id_password").fill("alice-password")
        owner.locator("input[type=submit]").click()
        seeded_amount, seeded_count = in_thread(seeded_recurring)  # the demo's history subscriptions
        expected = f"{format_usd(seeded_amount + 1500)} from {seeded_count + 1} gifts to Keep the lights on"
        assert expected in owner.locator("#recurring").inner_text()
        owner.screenshot(path=ARTIFACTS / "supporter_admin_monthly_gifts.png", full_page=True)

        # Update the card through the (stand-in) Customer Portal, opened on its payment-method flow.
        page.get_by_role("button", name="Update card").click()
        page.wait_for_url(f"{demo.url}/portal/bps_*", timeout=10000)
        assert page.locator("#flow").inner_text() == "payment_method_update"
        page.locator("#save").click()
        page.wait_for_url(link, timeout=10000)

        # Stop at the end of the paid month.
        page.get_by_role("button", name="Stop after this month").click()
        assert "Stop at the end of the paid month" in page.locator(".fr-waiting").inner_text()
        demo.deliver_queued()
        page.reload()
        assert "Stops on" in page.locator(".fr-gift-when").inner_text()
        page.screenshot(path=ARTIFACTS / "supporter_manage_stopping.png", full_page=True)
        owner.reload()
        # Only the seeded history's gifts recur any more.
        expected = f"{format_usd(seeded_amount)} from {seeded_count} gifts to Keep the lights on"
        assert expected in owner.locator("#recurring").inner_text()

        # This year's statement, printable.
        page.get_by_role("link", name=str(datetime.date.today().year)).click()
        assert page.locator(".st-total").inner_text() == "25 $"
        page.screenshot(path=ARTIFACTS / "supporter_statement.png", full_page=True)
        accessible(page, "statement")
        page.goto(link)

        # A tampered link and an expired one: a clear page, never a 500.
        response = page.goto(link[:-6] + "AAAAA/")
        assert response.status == 400
        assert page.get_by_role("heading", level=1).inner_text() == "This link does not work"
        page.screenshot(path=ARTIFACTS / "supporter_link_tampered.png", full_page=True)
        accessible(page, "link_tampered")
        settings.MANAGE_LINK_MAX_AGE = 0
        response = page.goto(link)
        assert response.status == 410
        assert page.get_by_role("heading", level=1).inner_text() == "This link has expired"
        page.get_by_role("link", name="Get a new link").click()
        accessible(page, "manage_request")
        page.get_by_label("Your e-mail address").fill("grace@example.com")
        page.get_by_role("button", name="E-mail me a link").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
        page.screenshot(path=ARTIFACTS / "supporter_link_requested.png", full_page=True)
        accessible(page, "link_requested")
        assert errors == []
    from fundraising.supporters.tasks import notices_sweep

    in_thread(lambda: notices_sweep())  # no broker here: beat's sweep sends the link, never the request
    assert in_thread(lambda: messages_in(mailbox))[-1][1] == "Manage your gifts to Demo organisation"
