"""Holding the journal's after-commit dispatch back, and reading what was journalled."""

import contextlib
from unittest import mock

from fundraising.journal import dispatch
from fundraising.journal.models import Entry


@contextlib.contextmanager
def dispatch_held():
    """Entries written meanwhile stay undispatched (as after a crash between commit and dispatch)."""
    with mock.patch.object(dispatch, "entries_dispatch", lambda **kwargs: 0):
        yield


def journalled(kind, **filters):
    return list(Entry.objects.filter(kind=kind, **filters).order_by("pk"))
