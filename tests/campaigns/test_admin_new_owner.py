"""As a new owner, in Chromium: a euro campaign in Paris time set up in money ("2000", "5, 10, 20", two
milestones), its preview, its donation page in French with 5 €, 10 €, 20 € and a French checkout; as donors,
"25,50" on an en_US page and "12.50" on a de_DE page end in a question, never in 100 times the amount."""

import pytest

from fundraising.campaigns.models import Campaign
from tests.browser import ARTIFACTS, admin_login, chromium_browser, in_thread
from tests.factories import CampaignFactory
from tests.stripe_standin.server import SECRET_KEY, CheckoutStandIn

pytestmark = pytest.mark.browser

# The SVG the form's preview image shows now ("" before it is drawn).
PREVIEW_SVG = """async () => {
  const img = document.querySelector('#fr-preview-img');
  return img && !img.hidden && img.src ? await (await fetch(img.src)).text() : '';
}"""


def preview_says(page, texts, seconds=10):
    """Whether the preview comes to hold every text within `seconds` (it redraws 400 ms after a change)."""
    for _ in range(seconds * 5):
        if all(text in page.evaluate(PREVIEW_SVG) for text in texts):
            return True
        page.wait_for_timeout(200)
    return False


def spaced(text):
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def standin(live_server, settings, widget_root):
    import stripe

    settings.SITE_URL = live_server.url
    with CheckoutStandIn(webhook_url=f"{live_server.url}/stripe/webhook/") as standin:
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_API_BASE = standin.url
        yield standin
    stripe.api_base = "https://api.stripe.com"


def test_a_new_owner_sets_up_a_euro_campaign_in_money(live_server, standin, chromium, organization, alice):
    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        admin_login(page, live_server.url)
        page.goto(f"{live_server.url}/admin/campaigns/campaign/add/")
        page.select_option("#id_organization", str(organization.pk))
        page.fill("#id_title", "Serveurs")  # the admin fills the slug from the title: "serveurs"
        page.select_option("#id_currency", "eur")
        page.select_option("#id_locale", "fr_FR")
        page.select_option("#id_time_zone", "Europe/Paris")
        page.fill("#id_monthly_target", "2000")
        page.fill("#id_preset_amounts", "5, 10, 20")
        page.fill("#id_milestones-0-amount", "500")
        page.fill("#id_milestones-0-label", "Un quart")
        page.click("text=Add another Milestone")
        page.fill("#id_milestones-1-amount", "1500")
        page.fill("#id_milestones-1-label", "Trois quarts")
        # The form's live preview: the server's own bar, in French and euros, with both milestones.
        assert preview_says(page, ["2\u202f000\u00a0€", "500\u00a0€", "1\u202f500\u00a0€"])
        page.screenshot(path=ARTIFACTS / "new_owner_form.png", full_page=True)
        with page.expect_navigation():
            page.click("input[name=_save]")
        page.wait_for_load_state("load")
        assert page.locator(".errornote").count() == 0, page.locator(".errornote, .errorlist").all_inner_texts()
        page.wait_for_selector(".messagelist")
        assert "was added successfully" in page.locator(".messagelist").inner_text()
        campaign = in_thread(lambda: Campaign.objects.get(slug="serveurs"))
        assert (campaign.monthly_target, campaign.preset_amounts) == (200000, [500, 1000, 2000])
        milestones = in_thread(lambda: sorted(campaign.milestones.values_list("amount", flat=True)))
        assert milestones == [50000, 150000]

        page.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign.pk}/embed/")  # the preview
        assert "2 000" in spaced(page.frame_locator("iframe").first.locator("body").inner_text())

        page.goto(f"{live_server.url}/c/serveurs/")
        text = spaced(page.inner_text("main"))
        assert "2 000 €" in text and "À quelle fréquence ?" in text
        for label in ("5 €", "10 €", "20 €"):
            assert page.get_by_text(label, exact=True).count() or label in text
        page.screenshot(path=ARTIFACTS / "new_owner_donation_page.png", full_page=True)
        page.get_by_text("10 €", exact=True).first.click()
        page.locator("form#donation-form button[type=submit]").click()
        page.wait_for_url(f"{standin.url}/**")
        [session] = standin.sessions.values()
        assert session["_params"]["locale"] == "fr"
        assert int(session["_params"]["line_items"][0]["price_data"]["unit_amount"]) == 1000


@pytest.mark.parametrize(("locale", "typed", "question"), [("en_US", "25,50", "25.50"), ("de_DE", "12.50", "12,50")])
def test_a_donor_typing_the_other_decimal_mark_is_asked(live_server, standin, chromium, locale, typed, question):
    currency = "usd" if locale == "en_US" else "eur"
    campaign = CampaignFactory(slug=f"c-{locale.lower()}", locale=locale, currency=currency)
    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 390, "height": 900})
        page.goto(f"{live_server.url}/c/{campaign.slug}/")
        page.locator("input[name=custom_amount]").fill(typed)
        with page.expect_navigation():
            page.locator("form#donation-form button[type=submit]").click()
        summary = spaced(page.inner_text("main"))
        assert question in summary and standin.sessions == {}
        page.screenshot(path=ARTIFACTS / f"question_{locale}.png", full_page=True)
        page.get_by_role("button", name=question, exact=False).first.click()
        page.wait_for_url(f"{standin.url}/**")
        [session] = standin.sessions.values()
        expected = 2550 if locale == "en_US" else 1250
        assert int(session["_params"]["line_items"][0]["price_data"]["unit_amount"]) == expected


def test_an_owner_answers_the_forms_question_in_one_click(live_server, chromium, organization, alice, widget_root):
    with chromium_browser(chromium) as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        admin_login(page, live_server.url)
        page.goto(f"{live_server.url}/admin/campaigns/campaign/add/")
        page.select_option("#id_organization", str(organization.pk))
        page.fill("#id_title", "Servers")
        page.fill("#id_monthly_target", "12,50")  # en_US and dollars: 12.50 or 1,250?
        page.fill("#id_preset_amounts", "5; 7,50; 20")
        with page.expect_navigation():
            page.click("input[name=_save]")
        buttons = page.locator("button.fr-suggest")
        assert buttons.all_inner_texts() == ["Use 12.50", "Use 7.50"]
        buttons.nth(0).click()
        buttons.nth(1).click()
        assert page.input_value("#id_monthly_target") == "12.50"
        assert page.input_value("#id_preset_amounts") == "5; 7.50; 20"
        page.screenshot(path=ARTIFACTS / "owner_question_answered.png", full_page=True)
        with page.expect_navigation():
            page.click("input[name=_save]")
        campaign = in_thread(lambda: Campaign.objects.get(slug="servers"))
        assert (campaign.monthly_target, campaign.preset_amounts) == (1250, [500, 750, 2000])
