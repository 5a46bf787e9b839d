"""Writing journal entries, inside the transaction of the change they record; after it commits, the entries
written are dispatched to their consumers (fundraising/journal/dispatch.py)."""

import dataclasses
import functools
import json
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from . import dispatch
from .kinds import ALL
from .models import Entry


@dataclasses.dataclass(frozen=True)
class Happening:
    """One entry to write: its kind, its key (None: a fresh one, for a change that has no natural key)."""

    kind: str
    key: str | None = None
    organization_id: int | None = None
    campaign_id: int | None = None
    period_id: int | None = None
    donation_id: uuid.UUID | None = None
    data: dict = dataclasses.field(default_factory=dict)


def key_fresh(kind):
    return f"{kind}:{uuid.uuid4().hex}"


COLUMNS = ["kind", "key", "organization_id", "campaign_id", "period_id", "donation_id", "data", "created_at"]
# Written as constants: Django's defaults are not the database's.
CONSTANTS = {"attempts": 0, "last_error": ""}


def _row(happening, now):
    if happening.kind not in ALL:
        raise ValueError(f"unknown journal kind {happening.kind!r}")
    values = dataclasses.asdict(happening) | {"key": happening.key or key_fresh(happening.kind), "created_at": now}
    values["data"] = DjangoJSONEncoder().encode(values["data"])  # datetimes and UUIDs as text
    row = []
    for name in COLUMNS:
        field = Entry._meta.get_field(name)
        value = values[name]
        if name == "data":
            row.append(value)
            continue
        row.append(field.get_db_prep_save(value, connection))
    return row


# Rows per INSERT statement: far below both databases' limits on parameters (8 a row).
ROWS_PER_INSERT = 1000


def sql_of(count):
    """INSERT of `count` entries in which a key already there is skipped; returns the new ids."""
    table = connection.ops.quote_name(Entry._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in [*COLUMNS, *CONSTANTS])
    data_placeholder = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    constants = ", ".join(repr(value) for value in CONSTANTS.values())
    one = "(" + ", ".join(data_placeholder if name == "data" else "%s" for name in COLUMNS) + f", {constants})"
    return (
        f'INSERT INTO {table} ({names}) VALUES {", ".join([one] * count)} '  # noqa: S608 - names are ours, values bound
        'ON CONFLICT ("key") DO NOTHING RETURNING "id", "key"'
    )


def entries_write(happenings, *, dispatched=False):
    """Append these entries in one statement (a key already written is skipped: the same happening told
    again) and, after the transaction commits, dispatch the new ones. Returns the new entries' ids.

    dispatched=True records without dispatching (history imported in bulk: there is no one to notify)."""
    happenings = list(happenings)
    if not happenings:
        return []
    now = timezone.now()
    rows = [_row(happening, now) for happening in happenings]
    new = {}
    with connection.cursor() as cursor:
        for index in range(0, len(rows), ROWS_PER_INSERT):
            chunk = rows[index : index + ROWS_PER_INSERT]
            cursor.execute(sql_of(len(chunk)), [value for row in chunk for value in row])
            new.update((key, pk) for pk, key in cursor.fetchall())
    ids = sorted(new.values())
    if dispatched and ids:
        Entry.objects.filter(pk__in=ids).update(dispatched_at=now)
    elif ids:
        # The dispatch gets the entries as written (no read back): data as the database returns it (JSON).
        written = [
            Entry(pk=new[row[1]], **dataclasses.asdict(happening) | {"key": row[1], "data": json.loads(row[6])})
            for happening, row in zip(happenings, rows, strict=True)
            if row[1] in new
        ]
        written.sort(key=lambda entry: entry.pk)
        dispatch_after_commit(written)
    return ids


def dispatch_after_commit(written):
    """Dispatch these entries once their transaction commits, together with every other entry the transaction
    wrote, so a drain's batch of 50 events is one dispatch (one refresh task, one receipts task), not 50.

    Each write keeps a hook of its own, registered where it wrote: a savepoint rolled back drops that hook and its
    entries, as Django drops any on_commit hook. The hooks only collect; one flush hook per transaction, kept last
    of the journal's hooks and outside every savepoint, dispatches what was collected. An entry whose hook never
    ran (a process killed after the commit) is the sweep's, as before."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:  # autocommit: Django runs the hook at once
        transaction.on_commit(_hook(dispatch.entries_dispatch, entries=written), robust=True)
        return
    flush = next((hook for _sids, hook, _robust in reversed(connection.run_on_commit)
                  if getattr(hook, "func", None) is _flush and hook.args[1]["last"]), None)  # fmt: skip
    batch = flush.args[0] if flush is not None else []
    transaction.on_commit(_hook(_collect, batch, written), robust=True)
    # The flush runs after every hook that collects: a new one last at each write (the one before stands down),
    # in no savepoint, so no rollback of one drops it.
    if flush is not None:
        flush.args[1]["last"] = False
    connection.run_on_commit.append((set(), _hook(_flush, batch, {"last": True}), True))


def _hook(func, *args, **kwargs):
    """An after-commit call with its arguments, named: Django logs a robust hook that raised by the function's
    `__qualname__`, which a bare functools.partial lacks, so the log line itself raised, the error escaped the
    commit to its caller (a stored webhook event answered 500) and the hooks after it never ran."""
    hook = functools.partial(func, *args, **kwargs)
    hook.__qualname__ = func.__qualname__
    return hook


def _collect(batch, written):
    batch.extend(written)


def _flush(batch, state):
    if not state["last"]:
        return
    entries = sorted(batch, key=lambda entry: entry.pk)
    batch.clear()
    if entries:
        dispatch.entries_dispatch(entries=entries)


def entry_write(**fields):
    """entries_write for one entry (see Happening for the fields); its id, or None when the key was there."""
    ids = entries_write([Happening(**fields)])
    return ids[0] if ids else None


def journal_scrub(*, organization_id, email, stand_in):
    """A supporter's erasure reaches the journal too: entries of the organisation whose data names the
    address (a failed renewal's) carry the stand-in instead. Returns how many changed."""
    changed = 0
    rows = Entry.objects.filter(organization_id=organization_id, data__email__iexact=email).only("pk", "data")
    for entry in rows:
        changed += Entry.objects.filter(pk=entry.pk).update(data=entry.data | {"email": stand_in})
    return changed
