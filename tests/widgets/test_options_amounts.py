"""amounts=1 shows the campaign's preset amounts and one-time/monthly in the iframe and script widgets;
choosing one opens the donation page in a new tab with that choice filled in."""

import json
import re

import pytest

from fundraising.widgets.options import OptionError, WidgetOptions, options_parse
from tests.browser import ARTIFACTS, chromium_browser
from tests.factories import SeedCampaignFactory

HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Blog</title></head><body>
<script async src="{app}/static/fundraising/embed.js" data-campaign="lights" data-amounts="1"></script></body></html>"""


def test_it_parses_the_option_from_its_allow_list():
    assert options_parse(query={"amounts": "1"}) == WidgetOptions(amounts=True)
    assert options_parse(query={"amounts": "0"}).is_default
    assert WidgetOptions(amounts=True).query() == "amounts=1"
    assert WidgetOptions(amounts=True).key != WidgetOptions().key
    with pytest.raises(OptionError, match="amounts must be one of 0, 1"):
        options_parse(query={"amounts": "yes"})


def test_it_puts_the_presets_in_the_snapshot(client, transactional_db, widget_root):
    SeedCampaignFactory()
    document = json.loads(client.get("/w/lights.json").content)
    assert document["presets"] == [{"amount": 500, "label": "5 $"}, {"amount": 1000, "label": "10 $"},
                                   {"amount": 2500, "label": "25 $"}]
    assert json.loads(client.get("/w/lights.json?locale=fr_FR").content)["presets"][2]["label"] == "25 $US"
    assert client.get("/w/lights/?amounts=2").status_code == 400


def test_it_links_each_amount_and_frequency_in_the_iframe(client, transactional_db, widget_root, settings):
    settings.SITE_URL = "https://fund.example.org"
    SeedCampaignFactory()
    assert "amounts" not in client.get("/w/lights/").content.decode().split("</style>")[1]
    page = client.get("/w/lights/?amounts=1").content.decode()
    links = re.findall(r'<a href="([^"]+)" target="_blank" rel="noopener">([^<]+)</a>', page)
    assert ("https://fund.example.org/c/lights/?amount=2500&amp;kind=monthly", "25 $") in links
    assert ("https://fund.example.org/c/lights/?amount=500&amp;kind=one_time", "5 $") in links
    assert len(links) == 6  # 3 one-time + 3 monthly


@pytest.fixture
def browser(chromium, live_server, settings, widget_root):
    settings.SITE_URL = live_server.url
    settings.STRIPE_SECRET_KEY = "sk_test_not_called"
    SeedCampaignFactory()
    with chromium_browser(chromium) as browser:
        yield browser


def assert_opens_prefilled(page, click, live_server):
    with page.context.expect_page() as opened:
        click()
    donation = opened.value
    donation.wait_for_load_state()
    assert donation.url == f"{live_server.url}/c/lights/?amount=2500&kind=monthly"
    assert donation.get_by_label("25 $").is_checked() and donation.get_by_label("Monthly").is_checked()
    donation.close()


@pytest.mark.browser
def test_it_gives_from_the_iframe(live_server, browser):
    page = browser.new_page(viewport={"width": 520, "height": 320}, device_scale_factor=2)
    page.goto(f"{live_server.url}/w/lights/?amounts=1")
    one_time, monthly = page.locator(".one_time a").nth(2), page.locator(".monthly a").nth(2)
    assert one_time.is_visible() and not monthly.is_visible()
    page.get_by_text("Monthly", exact=True).click()
    page.screenshot(path=ARTIFACTS / "widget_iframe_amounts.png")
    assert monthly.is_visible() and not one_time.is_visible()
    assert_opens_prefilled(page, lambda: page.get_by_role("link", name="25 $").click(), live_server)


@pytest.mark.browser
def test_it_gives_from_the_script_widget(live_server, publisher, browser):
    pages, origin = publisher
    pages["/post.html"] = HOST_PAGE.format(app=live_server.url)
    page = browser.new_page(viewport={"width": 520, "height": 320}, device_scale_factor=2)
    page.goto(f"{origin}/post.html")
    widget = page.locator("span").first
    widget.get_by_text("Monthly", exact=True).click()
    page.screenshot(path=ARTIFACTS / "widget_script_amounts.png")
    assert widget.get_by_role("radio", name="Monthly").is_checked()
    assert_opens_prefilled(page, lambda: widget.get_by_role("link", name="25 $").click(), live_server)
