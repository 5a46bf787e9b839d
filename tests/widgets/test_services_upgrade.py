"""After an upgrade, snapshot files and cache entries of the previous layout are never served, and
every format and option answers without a 500; widgets_refresh re-renders every active campaign."""

import json
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from fundraising.widgets import services
from tests.factories import CampaignFactory, SeedCampaignFactory

# What the previous release (VERSION 2) wrote: WIDGET_ROOT/<slug>.json|.svg|.html, a document
# without locale, amount_pattern or period_closes_at, and the cache entry under widget:v2:<slug>.
OLD_JSON = {
    "campaign": "lights", "title": "Old title", "url": "http://127.0.0.1:8000/c/lights/", "currency": "usd",
    "period": {"start": "2026-10-01", "end": "2026-10-31", "label": "October 2026"},
    "raised": 1, "target": 500000, "percent": 0.0, "donors": 1, "milestones": [],
    "formatted": {"raised": "0 $", "target": "5,000 $"}, "updated_at": "2026-10-02T00:00:00Z", "fill": 0.0,
}  # fmt: skip
OPTIONS = ["", "theme=dark", "accent=16a34a", "layout=compact", "locale=fr_FR", "theme=dark&locale=de_DE"]


@pytest.fixture
def upgraded(transactional_db, widget_root, monkeypatch):
    from fundraising.wsgi import application

    monkeypatch.setattr(application, "memo", {})
    campaign = SeedCampaignFactory()
    cache.clear()
    root = Path(widget_root)
    for path in root.rglob("*"):
        if path.is_file() or path.is_symlink():
            path.unlink()
    (root / "lights.json").write_text(json.dumps(OLD_JSON))
    (root / "lights.svg").write_text("<svg>old</svg>")
    (root / "lights.html").write_text("<p>old</p>")
    old_entry = {
        "snapshot": OLD_JSON,
        "version": '"old"',
        "renditions": {f: (b"old", '"old"') for f in "json svg html".split()},
    }
    cache.set("widget:v2:lights", old_entry, timeout=None)
    return campaign


@pytest.mark.parametrize("query", OPTIONS)
@pytest.mark.parametrize("path", ["/w/lights.json", "/w/lights.svg", "/w/lights/"])
def test_it_serves_every_format_and_option_over_the_previous_layout(client, upgraded, path, query):
    response = client.get(f"{path}?{query}" if query else path)
    assert response.status_code == 200
    body = response.content.decode()
    assert "old" not in body.lower().replace("bold", "") and "Old title" not in body
    if path.endswith(".json"):
        assert json.loads(body)["raised"] == 10000


def test_it_never_reads_a_file_of_another_version(upgraded):
    assert services.files_read(slug="lights") is None
    assert services.files_dir().name == f"v{services.VERSION}"


def test_it_refreshes_every_active_campaign_idempotently(upgraded, capsys):
    CampaignFactory(slug="paused", active=False)
    call_command("widgets_refresh")
    first = {p.name: p.read_bytes() for p in services.files_dir().iterdir()}
    call_command("widgets_refresh")
    out = capsys.readouterr().out
    assert "[1/1] lights" in out and "Refreshed 1 widget snapshot(s)." in out
    assert {p.name: p.read_bytes() for p in services.files_dir().iterdir()} == first
    assert set(first) == {"lights.json", "lights.svg", "lights.html"}
    assert (Path(services.files_dir().parent) / "current").resolve() == services.files_dir().resolve()


@pytest.mark.parametrize("release", [-1, +1])
def test_an_entry_written_by_a_release_of_another_version_is_never_served(client, upgraded, monkeypatch, release):
    from tests.wsgi_call import wsgi_get

    cache.clear()
    with monkeypatch.context() as other_release:
        other_release.setattr(services, "VERSION", services.VERSION + release)
        renditions = {f: (b"Old title", '"old"') for f in "json svg html".split()}
        stale = {"snapshot": OLD_JSON, "version": '"old"', "renditions": renditions, "ends_at": None, "wall": None}
        cache.set(services.entry_key("lights"), stale, timeout=None)
    assert client.get("/w/lights.json").json()["raised"] == 10000
    status, _, body = wsgi_get("/w/lights.json")  # the fast path, after Django stored this release's entry
    assert status == 200 and json.loads(body)["raised"] == 10000 and b"Old title" not in body
