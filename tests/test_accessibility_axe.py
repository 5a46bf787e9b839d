"""axe-core in Chromium finds no WCAG 2.1 A/AA violation on any page a donor, a publisher's reader
or an owner sees: the donation page (fresh and after an error), the thanks page, the iframe widget,
the script embed on another origin (light, dark, English, French), both with the supporters wall, and the
admin's list and Embed page, and the invitation page."""

import pytest

from fundraising.widgets.services import snapshot_refresh
from tests.axe import axe_report, axe_required, axe_violations
from tests.browser import ARTIFACTS, chromium_browser, in_thread
from tests.factories import DonationFactory, SeedCampaignFactory

pytestmark = pytest.mark.browser

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A publisher's blog</title></head>
<body><main><h1>Our monthly costs</h1><p>Servers, domains and coffee.</p>
<script async src="{app}/static/fundraising/embed.js" data-campaign="{slug}" data-theme="{theme}"{extra}></script>
</main></body></html>"""

WIDGET_DRAWN = """() => [...document.querySelectorAll('span')]
  .some(h => h.shadowRoot && h.shadowRoot.querySelector('.c'))"""
WALL_DRAWN = """() => [...document.querySelectorAll('span')]
  .some(h => h.shadowRoot && h.shadowRoot.querySelector('.w li'))"""


@pytest.fixture
def campaigns(live_server, settings, widget_root, organization):
    settings.SITE_URL = live_server.url
    settings.STRIPE_SECRET_KEY = "sk_test_not_called"  # the form is enabled; no valid submission is made
    lights = SeedCampaignFactory(organization=organization)
    phares = SeedCampaignFactory(organization=organization, slug="phares", title="Gardons la lumière allumée")
    phares.locale, phares.currency = "fr_FR", "eur"
    phares.save()
    for campaign, amounts in ((lights, False), (phares, True)):  # the supporters wall, with and without amounts
        campaign.supporters_wall, campaign.supporters_wall_amounts = True, amounts
        campaign.save()
        DonationFactory(campaign=campaign, public_name="Ada", message="Merci pour tout, continuez !")
        DonationFactory(campaign=campaign, anonymous=True, kind="monthly")
        snapshot_refresh(campaign_id=campaign.pk)
    return lights, phares


@pytest.fixture
def browser(chromium, campaigns):
    axe_required()
    with chromium_browser(chromium) as browser:
        yield browser


def assert_no_violations(page, name):
    violations = axe_violations(page)
    page.screenshot(path=ARTIFACTS / f"axe_{name}.png", full_page=True)
    assert not violations, axe_report(name, violations)


def test_it_finds_no_violation_on_the_donation_pages(live_server, campaigns, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    for slug in ("lights", "phares"):
        page.goto(f"{live_server.url}/c/{slug}/")
        assert_no_violations(page, f"donate_{slug}")
    page.goto(f"{live_server.url}/c/lights/")
    page.get_by_label("Other amount").fill("abc")
    page.locator("button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    assert_no_violations(page, "donate_error")
    page.goto(f"{live_server.url}/c/lights/thanks/")
    assert_no_violations(page, "thanks")


def test_it_finds_no_violation_in_the_iframe_widget(live_server, campaigns, browser):
    page = browser.new_context(bypass_csp=True, viewport={"width": 520, "height": 300}).new_page()
    for name, path in [
        ("iframe", "/w/lights/"),
        ("iframe_dark", "/w/lights/?theme=dark&accent=f59e0b"),
        ("iframe_fr_compact", "/w/phares/?layout=compact&accent=2563eb"),
        ("iframe_wall", "/w/lights/?supporters=1"),
        ("iframe_wall_fr_dark", "/w/phares/?supporters=1&theme=dark&amounts=1"),
    ]:
        assert page.goto(f"{live_server.url}{path}").status == 200
        assert_no_violations(page, name)


def test_it_finds_no_violation_in_the_script_embed(live_server, campaigns, publisher, browser):
    pages, origin = publisher
    page = browser.new_page(viewport={"width": 600, "height": 500})
    for slug in ("lights", "phares"):
        for theme in ("light", "dark"):
            extra = ' data-supporters="1"' if theme == "dark" else ""  # with the wall in one of the two themes
            pages[f"/{slug}-{theme}.html"] = HOST_PAGE.format(app=live_server.url, slug=slug, theme=theme, extra=extra)
            page.goto(f"{origin}/{slug}-{theme}.html")
            page.wait_for_function(WALL_DRAWN if extra else WIDGET_DRAWN, timeout=10000)
            assert_no_violations(page, f"script_{slug}_{theme}")


def test_it_finds_no_violation_in_the_admin(live_server, campaigns, browser):
    lights, _ = campaigns
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/campaigns/campaign/")
    assert page.locator("[role=progressbar]").count() == 2
    assert_no_violations(page, "admin_campaigns")
    page.goto(f"{live_server.url}/admin/campaigns/campaign/{lights.pk}/embed/")
    page.wait_for_function("() => document.querySelector('fundraising-progress').shadowRoot?.querySelector('.c')")
    assert_no_violations(page, "admin_embed")


def test_it_finds_no_violation_on_the_invitation_page(live_server, campaigns, browser):
    from fundraising.campaigns.invitations import invitation_token
    from fundraising.campaigns.models import Invitation

    lights, _ = campaigns
    invitation = in_thread(
        lambda: Invitation.objects.create(organization=lights.organization, email="new@example.org", role="editor")
    )
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{live_server.url}/invitations/{invitation_token(invitation)}/")
    assert page.locator("#site-name").inner_text() == "Fundraising"  # the admin's header: same look as the admin
    page.click("button[value=signup]")  # nothing typed: the errors show in the admin's style
    page.wait_for_selector(".errorlist")
    assert_no_violations(page, "invitation")
