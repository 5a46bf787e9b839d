"""The wall's bytes: compact UTF-8 JSON (every embed on every page view downloads them), with <, > and & escaped
so that the document is safe inside an HTML <script> too."""

import json

from fundraising.widgets.wall import wall_render

SNAPSHOT = {"locale": "en_US", "currency": "usd", "amount_pattern": "", "campaign": "lights",
            "updated_at": "2026-12-07T00:00:00Z"}  # fmt: skip


def gift(**fields):
    return {"name": "Ada", "message": None, "amount": None, "date": "2026-03-05", "kind": "one_time", "tribute": None,
            **fields}  # fmt: skip


def test_the_wall_is_compact_utf8_json():
    raw = wall_render(snapshot=SNAPSHOT, wall={"amounts": False, "gifts": [gift(name="Zoë", message="Mañana 🎉")]})
    assert '"name":"Zoë","anonymous":false,"date":"2026-03-05"'.encode() in raw
    assert '"message":"Mañana 🎉"'.encode() in raw
    assert b", " not in raw and b'": ' not in raw and b"\\u00eb" not in raw
    assert json.loads(raw)["supporters"][0]["name"] == "Zoë"


def test_markup_is_escaped_and_reads_back_whole():
    hostile = "</script><b>Tom & Jerry</b>"
    raw = wall_render(snapshot=SNAPSHOT, wall={"amounts": False, "gifts": [gift(name=hostile, message=hostile)]})
    assert b"<" not in raw and b">" not in raw and b"&" not in raw
    assert b'"name":"\\u003c/script\\u003e\\u003cb\\u003eTom \\u0026 Jerry\\u003c/b\\u003e"' in raw
    supporter = json.loads(raw)["supporters"][0]
    assert supporter["name"] == supporter["message"] == hostile
