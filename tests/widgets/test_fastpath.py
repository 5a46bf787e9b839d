"""The WSGI fast path serves exactly what the Django view serves, and hands everything else to Django."""

import pytest

from fundraising.wsgi import application
from tests.factories import SeedCampaignFactory, gift_add
from tests.wsgi_call import fast_path_hits, wsgi_get

PATHS = ["/w/lights.json", "/w/lights.svg", "/w/lights/", "/w/lights.js"]
# Headers that differ by design between two responses: none of the ones a browser or cache acts on.
IGNORED = {"date", "server"}


@pytest.fixture
def lights(transactional_db, widget_root, monkeypatch):
    monkeypatch.setattr(application, "memo", {})  # the process-wide memo must not carry over between tests
    return SeedCampaignFactory()


@pytest.mark.parametrize("path", PATHS)
def test_it_serves_the_same_bytes_and_headers_as_the_view(client, lights, path, monkeypatch):
    to_django = fast_path_hits(monkeypatch)
    status, headers, body = wsgi_get(path)
    assert to_django == []
    view = client.get(path)
    assert (status, body) == (view.status_code, view.content)
    expected = {name.lower(): value for name, value in view.items() if name.lower() not in IGNORED}
    assert {k: v for k, v in headers.items() if k not in IGNORED} == expected


@pytest.mark.parametrize("path", PATHS)
def test_it_answers_304_like_the_view(lights, path):
    _, headers, _ = wsgi_get(path)
    status, again, body = wsgi_get(path, HTTP_IF_NONE_MATCH=headers["etag"])
    assert (status, body) == (304, b"")
    assert again["etag"] == headers["etag"] and "content-length" not in again


def test_it_serves_the_new_total_within_half_a_second_of_a_refresh(lights, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(application, "clock", lambda: now[0])
    assert b'"raised":10000' in wsgi_get("/w/lights.json")[2].replace(b" ", b"")
    gift_add(campaign=lights, gifts=[10000])
    now[0] += 0.4  # still within this process's memo of the entry
    assert b'"raised":10000' in wsgi_get("/w/lights.json")[2].replace(b" ", b"")
    now[0] += 0.2
    assert b'"raised":20000' in wsgi_get("/w/lights.json")[2].replace(b" ", b"")


@pytest.mark.parametrize(
    ("path", "query", "extra"),
    [
        ("/w/lights.svg", "theme=dark", {}),
        ("/w/lights.json", "", {"REQUEST_METHOD": "POST"}),
        ("/w/lights.json", "", {"HTTP_HOST": "evil.example"}),
        ("/w/nobody.json", "", {}),
        ("/admin/login/", "", {}),
    ],
)
def test_it_hands_everything_else_to_django(lights, monkeypatch, path, query, extra):
    to_django = fast_path_hits(monkeypatch)
    wsgi_get(path, query, **extra)
    assert to_django == [path]


def test_it_lets_django_redirect_plain_http_when_ssl_is_required(lights, settings, monkeypatch):
    settings.SECURE_SSL_REDIRECT = True
    to_django = fast_path_hits(monkeypatch)
    wsgi_get("/w/lights.json")  # Django's SecurityMiddleware answers it (with a redirect in production)
    assert to_django == ["/w/lights.json"]
    status, headers, _ = wsgi_get("/w/lights.json", HTTP_X_FORWARDED_PROTO="https")
    assert status == 200 and headers["strict-transport-security"].startswith("max-age=")
