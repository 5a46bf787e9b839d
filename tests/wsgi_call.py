"""Requests straight to fundraising.wsgi's application, as gunicorn makes them: the widget fast path first."""

import io
from typing import NamedTuple
from wsgiref.util import setup_testing_defaults


class Answer(NamedTuple):
    status: int
    headers: dict  # names lower-cased
    body: bytes


def wsgi_get(path, query="", **extra):
    """GET `path` (`extra`: more WSGI environ keys, such as HTTP_IF_NONE_MATCH) through the whole application."""
    from fundraising.wsgi import application

    environ = {"PATH_INFO": path, "QUERY_STRING": query, "HTTP_HOST": "testserver", "wsgi.input": io.BytesIO()}
    environ.update(extra)
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = int(status.split()[0]), headers

    body = b"".join(application(environ, start_response))
    return Answer(seen["status"], {name.lower(): value for name, value in seen["headers"]}, body)


def fast_path_hits(monkeypatch):
    """The paths of the requests that get past the fast path to Django, from now until the test ends."""
    from fundraising.wsgi import application

    calls = []
    inner = application.app
    monkeypatch.setattr(
        application, "app", lambda environ, start: calls.append(environ["PATH_INFO"]) or inner(environ, start)
    )
    return calls
