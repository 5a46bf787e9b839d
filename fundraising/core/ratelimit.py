"""Fixed-window rate limits in the shared cache (every process and worker sees the same counts)."""

from django.conf import settings
from django.core.cache import cache


def rate_take(*, key, limit):
    """Count one use of `key`; False once `limit` = (count, seconds) is used up in the current window.

    The window starts with the first use (cache.add is a no-op while one is open). RATE_LIMIT_MULTIPLIER
    (20 under DEBUG) multiplies every count."""
    count, seconds = limit
    count *= settings.RATE_LIMIT_MULTIPLIER
    cache.add(key, 0, timeout=seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # the window expired between add and incr
        cache.set(key, 1, timeout=seconds)
        used = 1
    return used <= count
