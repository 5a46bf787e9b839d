"""Dispatching journal entries to the consumers of their kind: after the writing transaction commits, and
again from beat's sweep for any entry left undispatched (a process killed after the commit, a consumer that
failed). Consumers are registered per kind in their app's AppConfig.ready(), take a list of entries of that
kind, and must be idempotent on each entry's key: the sweep may run them again."""

import datetime
import logging
from collections import defaultdict

from django.db.models import F
from django.utils import timezone

from .models import Entry

logger = logging.getLogger(__name__)

# {kind: [(name, consumer), ...]} in registration order (the apps' order in INSTALLED_APPS: lower layers first).
CONSUMERS = defaultdict(list)
# The sweep leaves an entry this long to the dispatch that follows its commit.
SWEEP_GRACE = datetime.timedelta(seconds=60)
SWEEP_BATCH = 500


def consumer_register(kind, consumer, *, name=None):
    """Call `consumer(entries)` for every entry of `kind` (a list, oldest first). Registering the same name
    twice keeps one."""
    name = name or f"{consumer.__module__}.{consumer.__qualname__}"
    registered = CONSUMERS[kind]
    registered[:] = [(n, c) for n, c in registered if n != name]
    registered.append((name, consumer))


def entries_dispatch(*, entry_ids=None, entries=None):
    """Run the consumers of these entries (by id: those not dispatched yet; or the entries themselves, as
    written a moment ago), kind by kind, then mark them dispatched. A consumer that raises leaves its kind's
    entries undispatched, with the error, for the sweep."""
    if entries is None:
        entries = list(Entry.objects.filter(pk__in=entry_ids, dispatched_at__isnull=True).order_by("pk"))
    by_kind = defaultdict(list)
    for entry in entries:
        by_kind[entry.kind].append(entry)
    done = []
    for kind, group in by_kind.items():
        try:
            for _name, consumer in CONSUMERS.get(kind, ()):
                consumer(group)
        except Exception as exc:
            logger.exception("journal: a consumer of %s failed on %s entries", kind, len(group))
            Entry.objects.filter(pk__in=[e.pk for e in group]).update(
                attempts=F("attempts") + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            continue
        done.extend(entry.pk for entry in group)
    if done:
        Entry.objects.filter(pk__in=done, dispatched_at__isnull=True).update(
            dispatched_at=timezone.now(), attempts=F("attempts") + 1
        )
    return len(done)


def entries_sweep(*, now=None, grace=SWEEP_GRACE):
    """Dispatch what the after-commit dispatch did not (beat, every minute): entries older than `grace`,
    SWEEP_BATCH at a time, oldest first. Returns how many were dispatched."""
    cutoff = (now or timezone.now()) - grace
    dispatched = 0
    last_id = 0
    while True:
        ids = list(
            Entry.objects.filter(dispatched_at__isnull=True, created_at__lte=cutoff, pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        if not ids:
            return dispatched
        dispatched += entries_dispatch(entry_ids=ids)
        last_id = ids[-1]


def entries_undispatched(*, older_than=SWEEP_GRACE):
    """How many entries wait longer than `older_than` (/healthz)."""
    cutoff = timezone.now() - older_than
    return Entry.objects.filter(dispatched_at__isnull=True, created_at__lte=cutoff).count()
