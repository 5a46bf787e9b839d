"""The admin is usable with a screen reader: the campaign list's bar has a name, the Embed page's snippet
boxes have labels, each Copy button names its snippet and "copied" is announced in a status region."""

import re

import pytest

from tests.browser import chromium_browser
from tests.factories import SeedCampaignFactory


def test_it_names_the_bar_in_the_campaign_list(client, alice, campaign):
    client.force_login(alice)
    page = client.get("/admin/campaigns/campaign/").content.decode()
    assert 'role="progressbar" aria-label="Keep the lights on: this month"' in page


def test_it_labels_each_snippet_and_names_each_copy_button(client, alice, campaign, widget_root):
    client.force_login(alice)
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/embed/").content.decode()
    for box in ("snippet-script", "snippet-iframe", "snippet-markdown", "snippet-json"):
        assert f'<label for="{box}">' in page and f'<textarea id="{box}"' in page
    names = re.findall(r'data-copy="[^"]+">([^<]+)</button> <span class="copied" role="status">', page)
    assert names == ["Copy script snippet", "Copy iframe snippet", "Copy Markdown snippet", "Copy JSON address"]


@pytest.fixture
def browser(chromium, live_server, organization, widget_root):
    campaign = SeedCampaignFactory(organization=organization)
    with chromium_browser(chromium) as browser:
        yield browser, campaign


@pytest.mark.browser
def test_it_announces_what_was_copied(live_server, browser):
    browser, campaign = browser
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/campaigns/campaign/{campaign.pk}/embed/")
    page.get_by_role("button", name="Copy iframe snippet").click()
    status = page.locator("#snippet-iframe ~ [role=status]")
    status.filter(has_text="iframe snippet copied").wait_for(timeout=5000)
    assert page.evaluate("() => navigator.clipboard.readText()").startswith("<iframe src=")
