"""The stored widget entry: read back from the files it keeps their bytes as they are; the cache keeps it until the
next refresh; its ETags are one strong validator per body; a variant is rendered once per snapshot and kept."""

import datetime
import hashlib
import json

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fundraising.campaigns.models import Campaign
from fundraising.core.bounded import BoundedMemo
from fundraising.ledger.models import Donation
from fundraising.widgets import services
from fundraising.widgets.options import WidgetOptions
from fundraising.widgets.snapshots import current_periods
from tests.factories import SeedCampaignFactory, gift_add


@pytest.fixture
def lights(transactional_db, widget_root):
    return SeedCampaignFactory()


@pytest.mark.parametrize("wall", [False, True])
def test_an_entry_read_back_from_the_files_has_their_bytes(lights, wall):
    """What nginx serves and what the app serves after a cache flush are the same bytes, not a new rendering."""
    if wall:
        Campaign.objects.filter(pk=lights.pk).update(supporters_wall=True)
        services.snapshot_refresh(campaign_id=lights.pk)
    written = {fmt: services.file_path("lights", fmt) for fmt in ("json", "svg", "html")}
    written["svg"].write_bytes(written["svg"].read_bytes() + b"<!-- as written -->")
    written["html"].write_bytes(written["html"].read_bytes() + b"<!-- as written -->")
    if wall:
        path = services.file_path("lights", services.WALL_FORMAT)
        path.write_bytes(json.dumps(json.loads(path.read_bytes()), indent=1).encode())  # the same wall, other bytes
        written[services.WALL_FORMAT] = path
    entry = services.files_read(slug="lights")
    assert {fmt: body for fmt, (body, _) in entry["renditions"].items()} == {
        fmt: path.read_bytes() for fmt, path in written.items()
    }
    assert entry["version"] == services.etag_of(written["json"].read_bytes())
    assert (entry["wall"] is not None) is wall


def test_the_cache_keeps_an_entry_until_the_next_refresh(lights):
    in_two_days = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
    with time_machine.travel(in_two_days, tick=False):
        entry = cache.get(services.entry_key("lights"))
    assert entry is not None and entry["snapshot"]["raised"] == 10000


def test_an_etag_is_the_quoted_start_of_the_bodys_sha256():
    digest = hashlib.sha256(b"<svg/>").hexdigest()
    assert services.etag_of(b"<svg/>") == f'"{digest[:32]}"'


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("svg", WidgetOptions(theme="dark")), ("json", WidgetOptions(locale="fr_FR")), ("js", WidgetOptions())],
)
def test_a_variant_is_rendered_once_and_kept(lights, monkeypatch, fmt, options):
    monkeypatch.setattr(services, "_variants", BoundedMemo(services.VARIANT_MEMO_SIZE))
    entry = services.snapshot_entry_get(slug="lights")
    first = services.variant_get(slug="lights", entry=entry, fmt=fmt, options=options)
    assert services.variant_get(slug="lights", entry=entry, fmt=fmt, options=options) is first
    assert first[1] == services.etag_of(first[0])


@pytest.fixture
def walled(lights):
    """lights with its wall on and one gift with a name and a message."""
    Campaign.objects.filter(pk=lights.pk).update(supporters_wall=True)
    gift_add(campaign=lights, gifts=[{"public_name": "Ada", "message": "Keep going", "amount": 2500}])
    return lights


def test_a_localised_wall_follows_a_hidden_message(client, walled):
    """The wall's variants are kept under the wall's version: hiding a message changes the wall, not the totals."""
    path = "/w/lights/supporters.json?locale=fr_FR"
    assert json.loads(client.get(path).content)["supporters"][0]["message"] == "Keep going"
    Donation.objects.filter(campaign=walled, message="Keep going").update(message_hidden=True)
    services.snapshot_refresh(campaign_id=walled.pk)
    assert "message" not in json.loads(client.get(path).content)["supporters"][0]


def test_the_page_with_its_wall_follows_the_snapshot(client, walled):
    """?supporters=1 is kept under the snapshot's version and the wall's: a new title, the same wall, a new page."""
    path = "/w/lights/?supporters=1&theme=dark"
    assert "Keep going" in client.get(path).content.decode()
    Campaign.objects.filter(pk=walled.pk).update(title="Brighter lights")
    services.snapshot_refresh(campaign_id=walled.pk)
    page = client.get(path).content.decode()
    assert "Brighter lights" in page and "Keep going" in page


def test_an_entry_read_from_the_files_goes_back_into_the_cache(lights):
    cache.clear()
    entry = services.snapshot_entry_get(slug="lights")
    assert cache.get(services.entry_key("lights"))["version"] == entry["version"]


def test_a_refresh_given_its_periods_reads_neither_them_nor_their_campaigns_again(lights):
    """The pipeline's batch hands over the periods it just recomputed, with their campaigns (periods_refresh)."""
    periods = list(current_periods(campaigns=[Campaign.objects.get(pk=lights.pk)]).values())
    with CaptureQueriesContext(connection) as queries:
        entries = services.entries_store(campaign_ids=[lights.pk, lights.pk], periods=periods)
    assert list(entries) == [lights.pk] and entries[lights.pk]["snapshot"]["raised"] == 10000
    assert [
        q["sql"] for q in queries.captured_queries if "campaigns_campaign" in q["sql"] or "campaigns_period" in q["sql"]
    ] == []


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("json", WidgetOptions(theme="dark", accent="16a34a", layout="compact", amounts=True, supporters=True)),
        (services.WALL_FORMAT, WidgetOptions(theme="dark", supporters=True)),
        ("svg", WidgetOptions(supporters=True)),  # the image has no wall
    ],
)
def test_options_that_cannot_change_a_format_serve_its_stored_bytes(walled, monkeypatch, fmt, options):
    """Nothing is rendered or kept in the memo for them: 16 million accents make one JSON document."""
    monkeypatch.setattr(services, "_variants", BoundedMemo(services.VARIANT_MEMO_SIZE))
    entry = services.snapshot_entry_get(slug="lights")
    assert services.variant_get(slug="lights", entry=entry, fmt=fmt, options=options) is entry["renditions"][fmt]
    assert len(services._variants) == 0
