"""Which requests the WSGI fast path answers itself (HEAD, HTTPS behind the proxy, a host with a port, the wall)
and which it leaves to Django (an untrusted forwarded host, a campaign without a wall, any other path)."""

import pytest

from fundraising.wsgi import application
from tests.wsgi_call import fast_path_hits, wsgi_get

HSTS = "strict-transport-security"


@pytest.mark.parametrize("path", ["/w/lights.json", "/w/lights.svg", "/w/lights/", "/w/lights/supporters.json"])
def test_a_head_request_gets_the_get_requests_headers_and_no_body(lights, monkeypatch, path):
    to_django = fast_path_hits(monkeypatch)
    got = wsgi_get(path)
    head = wsgi_get(path, REQUEST_METHOD="HEAD")
    assert (head.status, head.body, to_django) == (200, b"", [])
    assert head.headers == got.headers and int(head.headers["content-length"]) == len(got.body) > 0
    again = wsgi_get(path, REQUEST_METHOD="HEAD", HTTP_IF_NONE_MATCH=got.headers["etag"])
    assert (again.status, again.body) == (304, b"") and "content-length" not in again.headers


@pytest.mark.parametrize(
    "extra, secure",
    [
        ({}, False),
        ({"wsgi.url_scheme": "https"}, True),
        ({"HTTP_X_FORWARDED_PROTO": "https"}, True),  # TLS ended at the proxy (SECURE_PROXY_SSL_HEADER)
        ({"HTTP_X_FORWARDED_PROTO": "http"}, False),
    ],
)
def test_it_sends_hsts_only_over_https(lights, monkeypatch, extra, secure):
    to_django = fast_path_hits(monkeypatch)
    answer = wsgi_get("/w/lights.json", **extra)
    assert (answer.status, to_django) == (200, [])
    assert (HSTS in answer.headers) is secure


def test_it_trusts_no_forwarded_protocol_without_a_proxy_header_setting(lights, monkeypatch, settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    to_django = fast_path_hits(monkeypatch)
    assert HSTS not in wsgi_get("/w/lights.json", HTTP_X_FORWARDED_PROTO="https").headers
    assert HSTS in wsgi_get("/w/lights.json", **{"wsgi.url_scheme": "https"}).headers
    assert to_django == []


def test_with_ssl_required_it_serves_https_requests_itself(lights, monkeypatch, settings):
    settings.SECURE_SSL_REDIRECT = True
    to_django = fast_path_hits(monkeypatch)
    for extra in ({"HTTP_X_FORWARDED_PROTO": "https"}, {"wsgi.url_scheme": "https"}):
        assert wsgi_get("/w/lights.json", **extra).status == 200
    assert to_django == []


@pytest.mark.parametrize(
    "extra, served",
    [
        ({"HTTP_HOST": "testserver:8443"}, True),
        ({"HTTP_HOST": "", "SERVER_NAME": "testserver"}, True),  # no Host header: the server's name
        ({"HTTP_HOST": "", "SERVER_NAME": "evil.example"}, False),
        ({"HTTP_HOST": "", "SERVER_NAME": ""}, False),
        ({"HTTP_HOST": "evil.example:443"}, False),
    ],
)
def test_it_checks_the_host_as_django_does(lights, monkeypatch, extra, served):
    to_django = fast_path_hits(monkeypatch)
    wsgi_get("/w/lights.json", **extra)
    assert to_django == ([] if served else ["/w/lights.json"])


def test_a_host_forwarded_by_a_proxy_is_left_to_django(lights, monkeypatch, settings):
    settings.USE_X_FORWARDED_HOST = True
    to_django = fast_path_hits(monkeypatch)
    wsgi_get("/w/lights.json")
    assert to_django == ["/w/lights.json"]


def test_a_campaign_without_a_wall_has_its_wall_answered_by_django(lights, monkeypatch):
    from fundraising.widgets.services import snapshot_after_edit

    lights.supporters_wall = False
    lights.save()
    snapshot_after_edit(campaign_id=lights.pk)
    to_django = fast_path_hits(monkeypatch)
    assert wsgi_get("/w/lights/supporters.json").status == 404
    assert wsgi_get("/w/lights/").status == 200
    assert to_django == ["/w/lights/supporters.json"]


@pytest.mark.parametrize("path", ["/w/lights.xml", "/w/lights", "/w/lights/supporters.js", "/w/lights/x.json",
                                  "/w/lights.json/", "/x/lights.json"])  # fmt: skip
def test_any_other_path_is_left_to_django(lights, monkeypatch, path):
    to_django = fast_path_hits(monkeypatch)
    wsgi_get(path)
    assert to_django == [path]


@pytest.mark.parametrize("path", ["/w/lights.json", "/w/lights/supporters.json"])
def test_after_a_cache_flush_it_serves_the_files_itself(lights, monkeypatch, path):
    from django.core.cache import cache

    expected = wsgi_get(path)
    cache.clear()
    monkeypatch.setattr(application, "memo", {})
    to_django = fast_path_hits(monkeypatch)
    answer = wsgi_get(path)
    assert (answer.status, answer.body, to_django) == (200, expected.body, [])


@pytest.mark.parametrize("names", [{}, {"HTTP_HOST": ""}, {"SERVER_NAME": ""}, {"HTTP_HOST": "", "SERVER_NAME": ""}])
def test_a_request_that_names_no_host_is_left_to_django_even_if_any_host_is_allowed(lights, settings, names):
    from fundraising.widgets.fastpath import WidgetFastPath

    settings.ALLOWED_HOSTS = ["*"]
    seen = []

    def django(environ, start_response):
        seen.append(environ["PATH_INFO"])
        return []

    WidgetFastPath(django)({"PATH_INFO": "/w/lights.json", "REQUEST_METHOD": "GET", **names}, None)
    assert seen == ["/w/lights.json"]


def test_a_request_without_a_path_is_left_to_django():
    from fundraising.widgets.fastpath import WidgetFastPath

    seen = []

    def django(environ, start_response):
        seen.append(environ.get("PATH_INFO"))
        return []

    # PEP 3333: PATH_INFO may be left out when it is empty (a request for the application's root)
    WidgetFastPath(django)({"REQUEST_METHOD": "GET", "HTTP_HOST": "testserver"}, None)
    assert seen == [None]
