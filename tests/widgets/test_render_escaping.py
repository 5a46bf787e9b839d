"""User text is escaped in every widget format, and option values cannot inject anything."""

import json
import xml.etree.ElementTree as ET

import pytest

from tests.factories import SeedCampaignFactory

HOSTILE = "</text><script>alert(1)</script>"


@pytest.fixture
def hostile(transactional_db, widget_root):
    return SeedCampaignFactory(slug="hostile", title=HOSTILE)


# A title that closes a <script> element without ever writing "<script>" or "</text>".
SCRIPT_BREAKER = "</script ><img src=x onerror=alert(1)> & <!--"


@pytest.mark.parametrize("query", ["", "?locale=fr_FR"])
def test_it_keeps_the_title_as_data_in_json(client, transactional_db, widget_root, query):
    SeedCampaignFactory(slug="breaker", title=SCRIPT_BREAKER)
    response = client.get(f"/w/breaker.json{query}")
    # Pasted into an HTML <script> block, no byte may open or close a tag or start an entity.
    for byte in (b"<", b">", b"&"):
        assert byte not in response.content, byte
    assert json.loads(response.content)["title"] == SCRIPT_BREAKER


@pytest.mark.parametrize("query", ["", "?theme=dark&layout=compact", "?locale=fr_FR&accent=%23ff0000"])
def test_it_escapes_the_title_in_the_svg(client, hostile, query):
    body = client.get(f"/w/hostile.svg{query}").content.decode()
    assert "<script" not in body and "</text><script" not in body
    tree = ET.fromstring(body)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    assert not tree.findall(f".//{ns}script")
    assert HOSTILE in tree.find(f"{ns}title").text


@pytest.mark.parametrize("query", ["", "?theme=dark&layout=compact"])
def test_it_escapes_the_title_in_the_iframe_page(client, hostile, query):
    body = client.get(f"/w/hostile/{query}").content.decode()
    assert "<script" not in body
    assert "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.parametrize(
    "query",
    [
        "theme=%3Cscript%3E",
        "accent=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "accent=red;background:url(x)",
        "layout=</style>",
        "locale=en_US%22%3E%3Cscript%3E",
        "locale=xx_YY",
        "accent=" + "a" * 200,
    ],
)
@pytest.mark.parametrize("path", ["/w/hostile.json", "/w/hostile.svg", "/w/hostile/"])
def test_it_refuses_option_values_outside_the_allow_lists(client, hostile, path, query):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert b"<script" not in response.content
    assert b"must be" in response.content or b"too long" in response.content
