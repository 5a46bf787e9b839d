"""Pages that show a supporter's address and gifts are never stored by a browser or a shared proxy
(Cache-Control: no-store): the manage page, a change's answer and the yearly statement (issue 25 point 11)."""

import pytest
from django.utils import timezone

from fundraising.supporters.links import manage_token
from tests.supporter_helpers import monthly_gift


@pytest.fixture
def token(client, campaign):
    subscription = monthly_gift(client, campaign, email="grace@example.com")
    return manage_token(organization_id=campaign.organization_id, email="grace@example.com"), subscription


def test_the_supporters_pages_say_no_store(client, campaign, token):
    token, subscription = token
    year = timezone.now().year
    pages = {
        "manage": client.get(f"/c/lights/manage/{token}/"),
        "statement": client.get(f"/c/lights/manage/{token}/statement/{year}/"),
        "change": client.post(f"/c/lights/manage/{token}/gift/{subscription}/", {"action": "nothing"}),
    }
    assert "grace@example.com" in pages["manage"].content.decode()
    for name, response in pages.items():
        assert response.status_code in (200, 303), name
        assert "no-store" in response.get("Cache-Control", ""), name
    assert "no-store" not in client.get("/c/lights/manage/").get("Cache-Control", "")  # the empty form may be kept
