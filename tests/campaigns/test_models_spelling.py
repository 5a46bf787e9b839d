"""The admin spells "organisation" as the docs do (British English, chosen once for UI and docs)."""

import re
from html.parser import HTMLParser

import pytest

from tests.factories import CampaignFactory

PAGES = [
    "/admin/",
    "/admin/campaigns/organization/",
    "/admin/campaigns/campaign/",
    "/admin/campaigns/campaign/add/",
    "/admin/campaigns/invitation/add/",
    "/admin/ledger/donation/",
    "/admin/supporters/statementrun/add/",
]


class VisibleText(HTMLParser):
    """What a person reads: text outside <script> and <style>, plus the labels of options and buttons."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")
        self.parts += [value for name, value in attrs if name in ("title", "aria-label", "placeholder") and value]

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


@pytest.mark.parametrize("url", PAGES)
def test_it_says_organisation_on_every_admin_page(client, admin_user, url):
    CampaignFactory(slug="demo")
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    reader = VisibleText()
    reader.feed(response.content.decode())
    text = " ".join(reader.parts)
    assert not re.search(r"organization", text, re.IGNORECASE), re.findall(r".{30}organization.{30}", text, re.I)
    assert re.search(r"organisation", text, re.IGNORECASE)
