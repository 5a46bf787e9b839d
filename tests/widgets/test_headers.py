"""Widget responses carry CORS, strong ETags and cache headers; only /w/ pages may be framed."""

import pytest

from tests.factories import SeedCampaignFactory


@pytest.fixture
def lights(transactional_db, widget_root):
    return SeedCampaignFactory()


PATHS = ["/w/lights.json", "/w/lights.svg", "/w/lights/"]


@pytest.mark.parametrize("path", PATHS)
def test_it_sends_cors_etag_and_cache_headers(client, lights, path):
    response = client.get(path, HTTP_ORIGIN="https://publisher.example")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert response["Cache-Control"] == "public, max-age=30, stale-while-revalidate=60"
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")


@pytest.mark.parametrize("path", PATHS)
def test_it_answers_304_to_a_matching_if_none_match(client, lights, path):
    etag = client.get(path)["ETag"]
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Cache-Control"].startswith("public")
    assert client.get(path, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert client.get(path, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


@pytest.mark.parametrize("path", PATHS)
def test_it_sets_no_cookie_and_does_not_vary_on_cookie(client, lights, path):
    response = client.get(path)
    assert not response.cookies
    assert "Set-Cookie" not in response
    assert "cookie" not in response.get("Vary", "").lower()


def test_it_lets_any_site_frame_the_iframe_page_only(client, lights):
    page = client.get("/w/lights/")
    assert "X-Frame-Options" not in page
    assert "frame-ancestors *" in page["Content-Security-Policy"]
    assert "script-src 'none'" in page["Content-Security-Policy"]
    for other in ("/", "/admin/login/", "/w/lights.json"):
        assert client.get(other)["X-Frame-Options"] == "DENY", other


def test_it_forbids_scripts_in_the_svg(client, lights):
    policy = client.get("/w/lights.svg")["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    assert client.get("/w/lights.svg")["Content-Type"] == "image/svg+xml"


def test_it_answers_404_for_an_unknown_or_inactive_campaign(client, lights):
    assert client.get("/w/nope.json").status_code == 404
    lights.active = False
    lights.save()
    from fundraising.widgets.services import snapshot_refresh

    snapshot_refresh(campaign_id=lights.pk)
    assert client.get("/w/lights.json").status_code == 404


def test_it_refuses_writes(client, lights):
    assert client.post("/w/lights.json").status_code == 405
