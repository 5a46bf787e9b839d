"""deploy/nginx.conf serves the snapshot files with exactly the headers the app sends for the same URL,
so a site behind nginx looks the same to browsers and caches as one without it."""

import re
from pathlib import Path

import pytest

from fundraising.widgets.services import snapshot_refresh
from tests.factories import SeedCampaignFactory
from tests.nginx_helpers import blocks, tokens

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
# Headers that differ by nature: validators and lengths are per file; HSTS comes from the TLS terminator.
PER_RESPONSE = {"etag", "content-length", "vary", "strict-transport-security"}
def location_for(path, conf):
    """The regex location of the server block that nginx would pick for `path` (first match wins)."""
    parsed, _ = blocks(tokens(conf.read_text()))
    server = next(children for words, children in parsed if words == ["server"])
    for words, children in server:
        if words[:2] == ["location", "~"] and re.search(words[2].replace("(?<", "(?P<"), path):
            return children
    raise AssertionError(f"no regex location serves {path}")


def nginx_headers(path, conf=CONF):
    """What nginx adds to a file it serves from that location: add_header lines and the content type."""
    location = location_for(path, conf)
    # An empty value removes the header (nginx sends Last-Modified of its own unless told not to).
    headers = {
        words[1].lower(): words[2]
        for words, _ in location
        if words[:1] == ["add_header"] and words[2] and words[1].lower() not in PER_RESPONSE
    }
    default_type = [words[1] for words, _ in location if words[:1] == ["default_type"]]
    headers["content-type"] = default_type[0] if default_type else None
    return headers


@pytest.fixture
def lights(transactional_db, widget_root):
    campaign = SeedCampaignFactory()
    campaign.supporters_wall = True  # so /w/lights/supporters.json exists
    campaign.save()
    snapshot_refresh(campaign_id=campaign.pk)
    return campaign


@pytest.mark.parametrize("path", ["/w/lights.json", "/w/lights.svg", "/w/lights/", "/w/lights/supporters.json"])
def test_it_sends_what_the_app_sends(client, lights, path):
    response = client.get(path)
    assert response.status_code == 200
    app = {name.lower(): value for name, value in response.items() if name.lower() not in PER_RESPONSE}
    assert nginx_headers(path) == app


def test_it_notices_a_drifted_header(tmp_path):
    drifted = tmp_path / "nginx.conf"
    drifted.write_text(CONF.read_text().replace('add_header Referrer-Policy "same-origin" always;', "", 1))
    assert "referrer-policy" not in nginx_headers("/w/lights.json", drifted)
    assert "referrer-policy" in nginx_headers("/w/lights.svg", drifted)


def test_the_script_goes_to_the_app_and_is_gzipped():
    """/w/<slug>.js has no file (the app bakes the JSON into this release's embed.js): no file location takes
    it, so it reaches the app through the proxy cache, which compresses it like the files."""
    with pytest.raises(AssertionError, match="no regex location"):
        location_for("/w/lights.js", CONF)
    parsed, _ = blocks(tokens(CONF.read_text()))
    server = next(children for words, children in parsed if words == ["server"])
    app = dict((words[0], words[1:]) for words, _ in next(c for w, c in server if w == ["location", "@widget_app"]))
    assert app["gzip"] == ["on"] and "text/javascript" in app["gzip_types"]
    assert app["proxy_cache"] == ["fundraising_widgets"]
