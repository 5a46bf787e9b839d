"""Deactivating a campaign in the admin takes its widget down at once, in every format."""

import pytest

from fundraising.campaigns.services import owner_add
from fundraising.widgets import services
from fundraising.wsgi import application
from tests.admin_helpers import form_data
from tests.factories import SeedCampaignFactory
from tests.wsgi_call import wsgi_get

PATHS = ["/w/lights.json", "/w/lights.svg", "/w/lights/"]


@pytest.fixture
def lights(transactional_db, widget_root, alice, monkeypatch):
    monkeypatch.setattr(application, "memo", services.BoundedMemo(10))
    campaign = SeedCampaignFactory()
    owner_add(organization=campaign.organization, user=alice)
    return campaign


def test_it_takes_the_widget_down_when_the_owner_deactivates_the_campaign(client, alice, lights, widget_root):
    assert [wsgi_get(path)[0] for path in PATHS] == [200, 200, 200]
    client.force_login(alice)
    url = f"/admin/campaigns/campaign/{lights.pk}/change/"
    response = client.post(url, form_data(client, url, active=None))
    assert response.status_code == 302
    application.memo.clear()  # this process's half-second memo; other processes' expire on their own
    assert [wsgi_get(path)[0] for path in PATHS] == [404, 404, 404]
    assert [client.get(path, {"theme": "dark"}).status_code for path in PATHS] == [404, 404, 404]
    assert list(services.files_dir().iterdir()) == []


def test_it_serves_the_new_title_at_once_after_an_edit(client, alice, lights):
    client.force_login(alice)
    url = f"/admin/campaigns/campaign/{lights.pk}/change/"
    assert client.post(url, form_data(client, url, title="Lights, renamed")).status_code == 302
    application.memo.clear()
    assert b"Lights, renamed" in wsgi_get("/w/lights.json")[2]


def test_it_retires_the_old_slug_when_the_slug_changes(client, alice, lights, widget_root):
    client.force_login(alice)
    url = f"/admin/campaigns/campaign/{lights.pk}/change/"
    assert client.post(url, form_data(client, url, slug="lamps")).status_code == 302
    application.memo.clear()
    assert wsgi_get("/w/lights.json")[0] == 404
    assert wsgi_get("/w/lamps.json")[0] == 200
    assert sorted(p.name for p in services.files_dir().iterdir()) == ["lamps.html", "lamps.json", "lamps.svg"]

