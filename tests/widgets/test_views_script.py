"""/w/<slug>.js: one statement that hands the campaign's widget JSON (the very bytes /w/<slug>.json serves) to
the script element, then embed.js unchanged; cached and validated like the JSON, and no title can break out."""

import json

import pytest

from fundraising.widgets.embed_palette import SERVED
from fundraising.widgets.services import snapshot_refresh
from tests.factories import SeedCampaignFactory, gift_add

PREFIX = b"document.currentScript.__frData="


def baked(body):
    """(the data object, the code after it) of a /w/<slug>.js body."""
    return statement_split(body)[1:]


def statement_split(body):
    """(the data statement, its object, the code after it) of a /w/<slug>.js body."""
    assert body.startswith(PREFIX)
    data, end = json.JSONDecoder().raw_decode(body[len(PREFIX) :].decode())
    end += len(PREFIX)
    head = body[: end + 1]
    assert head.isascii() and head.endswith(b";")  # ASCII: character and byte offsets agree
    return head, data, body[end + 1 :]


@pytest.fixture
def lights(transactional_db, widget_root):
    return SeedCampaignFactory()


def test_it_bakes_the_json_into_embed_js(client, lights):
    response = client.get("/w/lights.js")
    assert response.status_code == 200
    data, code = baked(response.content)
    assert data == {"url": "/w/lights.json", "text": client.get("/w/lights.json").content.decode()}
    assert code == SERVED.read_bytes()  # the embed code, unchanged


def test_it_sends_the_headers_of_the_json_as_a_script(client, lights):
    script, data = client.get("/w/lights.js"), client.get("/w/lights.json")
    assert script["Content-Type"] == "text/javascript; charset=utf-8"
    assert script["X-Content-Type-Options"] == "nosniff"
    for name in ("Cache-Control", "Access-Control-Allow-Origin", "Vary", "Referrer-Policy"):
        assert script[name] == data[name], name
    assert script["ETag"].startswith('"') and script["ETag"] != data["ETag"]
    assert "Set-Cookie" not in script


def test_it_answers_304_to_its_etag(client, lights):
    etag = client.get("/w/lights.js")["ETag"]
    for header in (etag, f"W/{etag}", "*"):
        again = client.get("/w/lights.js", HTTP_IF_NONE_MATCH=header)
        assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert client.get("/w/lights.js", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_gift_changes_the_script_and_the_json_together(client, lights):
    before = client.get("/w/lights.js")
    gift_add(campaign=lights, gifts=[4200])
    after = client.get("/w/lights.js", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    data, _ = baked(after.content)
    assert json.loads(data["text"])["raised"] == 14200
    assert data["text"] == client.get("/w/lights.json").content.decode()


@pytest.mark.parametrize(("query", "locale"), [("?locale=fr-FR", "fr_FR"), ("?locale=de&theme=dark", "de")])
def test_it_serves_the_locale_variant_of_the_json(client, lights, query, locale):
    response = client.get(f"/w/lights.js{query}")
    assert response.status_code == 200
    data, _ = baked(response.content)
    assert data["url"] == f"/w/lights.json?locale={locale}"
    assert data["text"] == client.get(data["url"]).content.decode()
    assert json.loads(data["text"])["locale"] == locale
    assert response["ETag"] != client.get("/w/lights.js")["ETag"]
    assert client.get(f"/w/lights.js{query}", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


@pytest.mark.parametrize("query", ["?locale=xx", "?locale=" + "a" * 30, "?theme=pink"])
def test_it_refuses_bad_options_like_the_json(client, lights, query):
    script, data = client.get(f"/w/lights.js{query}"), client.get(f"/w/lights.json{query}")
    assert script.status_code == data.status_code == 400
    assert script.content == data.content


def test_it_answers_404_for_unknown_and_inactive_campaigns(client, lights):
    assert client.get("/w/nobody.js").status_code == 404
    assert client.get("/w/" + "x" * 300 + ".js").status_code == 404
    lights.active = False
    lights.save()
    snapshot_refresh(campaign_id=lights.pk)
    assert client.get("/w/lights.js").status_code == 404
    assert client.post("/w/lights.js").status_code == 405


HOSTILE = "</script><script>window.__pwned=1</script>\u2028\u2029\"'\\\\'; window.__pwned=2; //<!--"


def test_it_keeps_a_hostile_title_inside_its_string(client, transactional_db, widget_root):
    SeedCampaignFactory(slug="breaker", title=HOSTILE)
    body = client.get("/w/breaker.js").content
    head, data, _ = statement_split(body)  # ASCII: U+2028/2029 escaped (older engines end a line at them)
    assert json.loads(data["text"])["title"] == HOSTILE
    for byte in (b"<", b">", b"&", b"\n"):  # safe inline in an HTML <script> too
        assert byte not in head, byte
