"""Widgets serve the stored snapshot: fresh after a ledger change, never an aggregate per request."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from fundraising.core import money
from tests.factories import DonationFactory, SeedCampaignFactory, gift_add


@pytest.fixture
def lights(transactional_db, widget_root):
    return SeedCampaignFactory()


def test_it_serves_the_new_total_after_a_ledger_change(client, lights):
    before = client.get("/w/lights.json")
    assert json.loads(before.content)["raised"] == 10000
    gift_add(campaign=lights, gifts=[2500])
    after = client.get("/w/lights.json", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    data = json.loads(after.content)
    assert (data["raised"], data["donors"], data["formatted"]["raised"]) == (12500, 4, "125 $")
    assert "125 $" in client.get("/w/lights.svg").content.decode()
    assert "125 $" in client.get("/w/lights/").content.decode()


def test_it_writes_the_snapshot_files_nginx_serves(client, lights):
    root = Path(settings.WIDGET_ROOT) / "current"  # what nginx serves: this release's directory
    served = client.get("/w/lights.json").content
    assert (root / "lights.json").read_bytes() == served
    assert (root / "lights.svg").read_bytes() == client.get("/w/lights.svg").content
    assert (root / "lights.html").read_bytes() == client.get("/w/lights/").content
    assert (root / "lights.json").stat().st_mode & 0o044 == 0o044  # readable by the web server's user


@pytest.mark.parametrize("path", ["/w/lights.json", "/w/lights.svg", "/w/lights/", "/w/lights.svg?theme=dark"])
def test_it_does_not_query_the_database_per_request(client, lights, path, django_assert_num_queries):
    client.get(path)
    # Even a ledger the request would have to sum does not matter: nothing is summed.
    DonationFactory.create_batch(5, campaign=lights)
    with django_assert_num_queries(0):
        assert client.get(path).status_code == 200


def test_it_falls_back_to_the_files_when_the_cache_is_empty(client, lights, django_assert_num_queries):
    etag = client.get("/w/lights.svg")["ETag"]
    cache.clear()
    with django_assert_num_queries(0):
        response = client.get("/w/lights.svg")
    assert response["ETag"] == etag


def test_it_builds_once_when_neither_cache_nor_files_exist(client, lights):
    for path in (Path(settings.WIDGET_ROOT) / "current").glob("lights.*"):
        path.unlink()
    cache.clear()
    assert json.loads(client.get("/w/lights.json").content)["raised"] == 10000
    assert (Path(settings.WIDGET_ROOT) / "current" / "lights.json").exists()


@pytest.mark.parametrize(
    ("path", "shows"),
    [
        ("/w/lights.svg?theme=dark", "125 $"),
        ("/w/lights.svg?locale=fr_FR", money.format_money(12500, "usd", "fr_FR", "#,##0 ¤")),
        ("/w/lights/?layout=compact", "125 $"),
        ("/w/lights.json?locale=fr_FR", '"raised":12500'),
    ],
)
def test_it_serves_fresh_themed_and_localised_variants(client, lights, path, shows):
    assert shows not in client.get(path).content.decode()  # the variant is now cached
    gift_add(campaign=lights, gifts=[2500])
    assert shows in client.get(path).content.decode()
