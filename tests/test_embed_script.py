"""embed.js stays small, self-contained and free of tracking, and whitenoise serves it."""

import gzip
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "static" / "fundraising" / "embed.js"


def test_it_stays_under_four_kilobytes_gzipped():
    assert len(gzip.compress(SCRIPT.read_bytes(), 9)) <= 4096


def test_it_loads_nothing_else_and_keeps_no_state_about_readers():
    source = SCRIPT.read_text()
    forbidden_calls = ("document.cookie", "localStorage", "sessionStorage", "import(", "innerHTML", "sendBeacon")
    for forbidden in forbidden_calls:
        assert forbidden not in source, forbidden
    assert 'credentials: "omit"' in source


def test_it_is_served_at_its_documented_path(client, settings):
    # Production serves the collected file; here whitenoise finds it in static/ without collectstatic.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/static/fundraising/embed.js")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body == SCRIPT.read_bytes()
