"""Rows that promise a side effect (an e-mail, an outgoing event): when the next try is due, and a claim so
that one process at a time tries it. The row, not a queued task, is the promise: a sweep queues what is
overdue, so a task lost with Redis delays the side effect and never drops it. Models using this have
`due_at` and `claimed_until` fields."""

import datetime

from django.db.models import Q
from django.utils import timezone


def unclaimed(now):
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def row_claim(rows, *, seconds, now=None):
    """Claim the row `rows` selects (by pk, in the state still to try) for `seconds`: True when no other
    process holds it. One UPDATE, so of two processes claiming at once exactly one wins."""
    now = now or timezone.now()
    return bool(rows.filter(unclaimed(now)).update(claimed_until=now + datetime.timedelta(seconds=seconds)))


def rows_overdue(rows, *, grace, limit=500, now=None):
    """Ids of `rows` (those still to try) due more than `grace` ago and held by no one, oldest first."""
    now = now or timezone.now()
    overdue = rows.filter(unclaimed(now), due_at__lte=now - grace).order_by("due_at")
    return list(overdue.values_list("pk", flat=True)[:limit])
