"""Fixed-window rate limits in the shared cache (every process and worker sees the same counts).

When the cache cannot be reached (Redis down or restarting), a limit fails open onto a per-process
counter instead of answering the donor with a 500: each process then enforces the same limit on its own
(so with N processes a client gets at most N times the allowance until Redis is back), and a warning is
logged at most once a minute per process, so an outage is visible without flooding the log."""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache

from .bounded import BoundedMemo

log = logging.getLogger(__name__)

# Keys the per-process fallback remembers: enough for an outage's distinct clients, bounded against a flood.
FALLBACK_KEYS = 10_000
WARN_EVERY_SECONDS = 60
_fallback = BoundedMemo(FALLBACK_KEYS)
_fallback_lock = threading.Lock()
_warned = {"at": float("-inf")}


def _cache_down(exc):
    """Log the outage at most once per WARN_EVERY_SECONDS in this process."""
    now = time.monotonic()
    with _fallback_lock:
        if now - _warned["at"] < WARN_EVERY_SECONDS:
            return
        _warned["at"] = now
    log.warning("rate limits use per-process counters: the shared cache is unreachable (%s)", type(exc).__name__)


def _fallback_take(key, count, seconds):
    now = time.monotonic()
    with _fallback_lock:
        started, used, _seconds = _fallback.get(key, (now, 0, seconds))
        if now - started >= seconds:
            started, used = now, 0
        _fallback[key] = (started, used + 1, seconds)
    return used + 1 <= count


def _shared_take(key, count, seconds):
    cache.add(key, 0, timeout=seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.set(key, 1, timeout=seconds)
        used = 1
    return used <= count


def _take(key, count, seconds):
    try:
        return _shared_take(key, count, seconds)
    except Exception as exc:  # any cache failure (ConnectionError, TimeoutError, ...): degrade, never 500
        _cache_down(exc)
        return _fallback_take(key, count, seconds)


def rate_take(*, key, limit):
    """Count one use of `key`; False once `limit` = (count, seconds) is used up in the current window.

    The window starts with the first use (cache.add is a no-op while one is open). RATE_LIMIT_MULTIPLIER
    (20 under DEBUG) multiplies every count."""
    count, seconds = limit
    return _take(key, count * settings.RATE_LIMIT_MULTIPLIER, seconds)


def once_take(*, key, seconds):
    """True for the first caller in a window of `seconds` (a marker in the shared cache), False after."""
    return _take(key, 1, seconds)


def once_taken(*, key):
    """Whether once_take(key=...) has been taken in the current window (asks without taking)."""
    try:
        return bool(cache.get(key))
    except Exception as exc:  # as in rate_take: degrade to this process's memory
        _cache_down(exc)
        with _fallback_lock:
            started, used, seconds = _fallback.get(key, (0.0, 0, 0))
        return used > 0 and time.monotonic() - started < seconds
