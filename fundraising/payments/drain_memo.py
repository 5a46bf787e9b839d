"""Lookups memoised within one drain slice of Stripe events: campaigns by slug, periods by month.

fundraising/payments/stripe_events.py opens the memo around a slice and forgets it when a failed batch
rolls back what it had created; fundraising/payments/recording.py reads through it. Outside a slice every
lookup reads the database."""

import contextlib
import contextvars

# Within one drain slice (well under a second), campaigns by slug and periods by month are read once.
_memo = contextvars.ContextVar("payments_lookups_memo", default=None)


@contextlib.contextmanager
def lookups_memoised():
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def lookups_forget():
    memo = _memo.get()
    if memo is not None:
        memo.clear()


def memoised(key, load):
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]
