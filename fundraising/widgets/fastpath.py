"""A WSGI shortcut for the hottest URLs, /w/<slug>.json, .svg, .js, /w/<slug>/ and /w/<slug>/supporters.json
without options: the cached snapshot bytes with the same headers the Django view sends, without Django's request cycle.

Publishers' pages hit these URLs on every page view, so their cost is the product's cost. Anything
that is not a plain cache hit (options, another method, an unknown host, a plain-HTTP request to
redirect, a cold cache) goes to Django unchanged, which stays the one place of the rules.

With the cache down (Redis stopped) the entry comes from this release's snapshot files, which
are there for exactly that; a snapshot whose month has ended goes to Django, which rolls it over.

Each process keeps the entry it read from the shared cache for MEMO_SECONDS: a round trip to Redis
costs more than the rest of the request, and half a second is well inside the ~1 s freshness the
widgets promise (downstream caches keep a response for max-age=30 anyway). The memo is bounded
(MEMO_SIZE, least recently used out) and never remembers a slug it did not find, so requests for
junk slugs cannot grow it.
"""

import re
import time

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from fundraising.core.bounded import BoundedMemo

from .headers import CONTENT_TYPES, public_headers, security_headers
from .options import WidgetOptions
from .services import SCRIPT_FORMAT, cache_get, entry_key, files_read, period_ended, script_get, slug_is_plausible
from .snapshots import SnapshotEntry
from .views import etag_matches

PATH = re.compile(r"^/w/(?P<slug>[-a-zA-Z0-9_]+)(?:\.(?P<ext>json|svg|js)|/(?P<wall>supporters\.json)?)$")
STATUS = {200: "200 OK", 304: "304 Not Modified"}
MEMO_SECONDS = 0.5
MEMO_SIZE = 1000  # campaigns served from this process's memory at once


def request_is_secure(environ):
    header, value = settings.SECURE_PROXY_SSL_HEADER or (None, None)
    return environ.get("wsgi.url_scheme") == "https" or (header is not None and environ.get(header) == value)


def host_is_allowed(environ):
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _ = split_domain_port(host)
    return bool(domain) and not settings.USE_X_FORWARDED_HOST and validate_host(domain, settings.ALLOWED_HOSTS)


class WidgetFastPath:
    def __init__(self, app, clock=time.monotonic, memo_seconds=MEMO_SECONDS):
        self.app = app
        self.clock = clock
        self.memo_seconds = memo_seconds
        self.memo = BoundedMemo(MEMO_SIZE)  # slug -> (expires, entry)

    def entry_get(self, slug: str) -> SnapshotEntry | None:
        if not slug_is_plausible(slug):  # no cache key is built for what cannot be a campaign
            return None
        now = self.clock()
        expires, entry = self.memo.get(slug, (0.0, None))
        if now >= expires:
            entry = cache_get(entry_key(slug))
            if entry is None:  # the cache is down or was flushed: the files, when this release wrote them
                entry = files_read(slug=slug)
            if entry is None:  # not remembered: Django builds it, or answers 404, on the next request
                self.memo.pop(slug, None)
            else:
                self.memo[slug] = (now + self.memo_seconds, entry)
        return entry

    def __call__(self, environ, start_response):
        served = self.serve(environ, start_response)
        return self.app(environ, start_response) if served is None else served

    def serve(self, environ, start_response):
        match = PATH.match(environ.get("PATH_INFO", ""))
        method = environ.get("REQUEST_METHOD")
        if match is None or method not in ("GET", "HEAD") or environ.get("QUERY_STRING"):
            return None
        secure = request_is_secure(environ)
        if (settings.SECURE_SSL_REDIRECT and not secure) or not host_is_allowed(environ):
            return None
        entry = self.entry_get(match["slug"])
        if entry is None or period_ended(entry):
            return None
        fmt = match["ext"] or ("supporters" if match["wall"] else "html")
        if fmt == SCRIPT_FORMAT:  # made from the JSON's bytes, kept in the bounded variants memo
            body, etag = script_get(slug=match["slug"], entry=entry, options=WidgetOptions())
        elif fmt not in entry["renditions"]:  # no wall: Django answers 404
            return None
        else:
            body, etag = entry["renditions"][fmt]
        status = 304 if etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag) else 200
        headers = [*public_headers(fmt).items(), ("ETag", etag), *security_headers(fmt, secure)]
        if status == 200:
            headers += [("Content-Type", CONTENT_TYPES[fmt]), ("Content-Length", str(len(body)))]
        start_response(STATUS[status], headers)
        return [body] if status == 200 and method == "GET" else []
