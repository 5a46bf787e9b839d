"""/livez and /readyz for load balancers: answered first in the middleware chain, before host validation
(a probe sends the node's IP as Host), the SSL redirect and sessions.

Both are about this node only, never about site-wide state (a failed event, a late beat): a load balancer
that drops nodes on those would drop every node at once. /livez says the process answers; /readyz that
it can serve (its database and cache answer within CHECK_TIMEOUT_SECONDS each), checked at most once per
READY_SECONDS per process so a flood of probes costs nothing. /healthz keeps the detailed view."""

import threading
import time

from django.http import JsonResponse

from .health import _cache, _check, _database
from .metrics import METRICS_PATH, metrics_response

LIVE_PATH, READY_PATH = "/livez", "/readyz"
READY_SECONDS = 1.0
_ready = {"at": float("-inf"), "ok": True}
_ready_lock = threading.Lock()


def node_ready():
    """Database and cache both answer; recomputed at most once per READY_SECONDS."""
    with _ready_lock:
        if time.monotonic() - _ready["at"] >= READY_SECONDS:
            _ready["ok"] = _check(_database)["ok"] and _check(_cache)["ok"]
            _ready["at"] = time.monotonic()
        return _ready["ok"]


def _answer(ok):
    response = JsonResponse({"status": "ok" if ok else "fail"}, status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    return response


class ProbeMiddleware:
    """First in MIDDLEWARE: answers the two probe paths and /metrics (GET or HEAD; a scraper too may send an IP
    as Host, /metrics checks its token instead) and passes everything else on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path_info in (LIVE_PATH, READY_PATH):
            return _answer(True if request.path_info == LIVE_PATH else node_ready())
        if request.method in ("GET", "HEAD") and request.path_info == METRICS_PATH:
            return metrics_response(request)
        return self.get_response(request)
