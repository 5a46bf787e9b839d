"""fundraising/journal/services.py: a supporter's erasure reaches the journal of the organisation that runs it, and
only that organisation's entries (journal_scrub is scoped like the erase that calls it)."""

import pytest

from fundraising.journal.models import Entry
from fundraising.journal.services import journal_scrub

pytestmark = pytest.mark.django_db

RENEWAL = {"invoice_id": "in_1", "attempt": 2, "subscription_id": "sub_1"}


def entry(key, organization_id, email):
    return Entry.objects.create(kind="renewal.failed", key=key, organization_id=organization_id,
                                data={**RENEWAL, "email": email})  # fmt: skip


def data_of(key):
    return Entry.objects.get(key=key).data


def test_it_scrubs_the_address_in_the_organisations_entries_only():
    entry("a-1", 1, "Ada@Example.com")
    entry("a-2", 1, "ada@example.com")
    entry("a-other", 1, "grace@example.com")
    entry("b-1", 2, "ada@example.com")  # the same supporter at another organisation
    entry("none-1", None, "ada@example.com")  # no organisation: no erase at one reaches it

    assert journal_scrub(organization_id=1, email="ada@example.com", stand_in="erased-1@invalid") == 2

    assert data_of("a-1") == data_of("a-2") == {**RENEWAL, "email": "erased-1@invalid"}  # the rest kept
    assert data_of("a-other") == {**RENEWAL, "email": "grace@example.com"}
    assert data_of("b-1") == data_of("none-1") == {**RENEWAL, "email": "ada@example.com"}


def test_it_counts_nothing_where_the_address_is_not_named():
    entry("b-1", 2, "ada@example.com")
    assert journal_scrub(organization_id=1, email="ada@example.com", stand_in="erased-1@invalid") == 0
    assert data_of("b-1")["email"] == "ada@example.com"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("in_transaction", [False, True], ids=["autocommit", "atomic"])
def test_a_dispatch_that_fails_after_the_commit_fails_neither_the_write_nor_the_hooks_after_it(
    monkeypatch, caplog, in_transaction
):
    """The database went away between the commit and the dispatch's own writes: the change is committed, so its
    caller must not see an error (a webhook would answer 500 for a stored event), the other after-commit hooks
    still run, and the entry is left undispatched for the sweep."""
    from django.db import DatabaseError, transaction

    from fundraising.journal import dispatch, kinds
    from fundraising.journal.services import entry_write

    def gone(**kwargs):
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(dispatch, "entries_dispatch", gone)
    after = []
    if in_transaction:
        with transaction.atomic():
            entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:gone", period_id=1)
            transaction.on_commit(lambda: after.append("ran"))
    else:
        entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:gone", period_id=1)
        transaction.on_commit(lambda: after.append("ran"))
    assert after == ["ran"]
    assert Entry.objects.get(key="period.changed:gone").dispatched_at is None
    assert "server closed the connection unexpectedly" in caplog.text  # Django logs a robust hook's error
    assert ("Error calling _flush in" if in_transaction else ".gone in on_commit()") in caplog.text  # named


def test_an_entry_without_a_key_gets_a_fresh_one_named_by_its_kind():
    from fundraising.journal import kinds
    from fundraising.journal.services import Happening, entries_write

    entries_write(
        [Happening(kind=kinds.PERIOD_CHANGED, period_id=1), Happening(kind=kinds.PERIOD_CHANGED, period_id=1)]
    )
    keys = sorted(Entry.objects.values_list("key", flat=True))
    assert len(set(keys)) == 2 and all(key.startswith("period.changed:") for key in keys), keys


def test_history_written_as_dispatched_is_marked_and_consumed_by_no_one(
    monkeypatch, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from fundraising.journal import dispatch, kinds
    from fundraising.journal.services import Happening, entries_write

    consumed = []
    monkeypatch.setitem(dispatch.CONSUMERS, kinds.PERIOD_CHANGED, [("test", consumed.extend)])
    with django_capture_on_commit_callbacks(execute=True):
        ids = entries_write([Happening(kind=kinds.PERIOD_CHANGED, key="imported", period_id=1)], dispatched=True)
    entry = Entry.objects.get(pk__in=ids)
    assert entry.dispatched_at is not None and entry.dispatched_at <= timezone.now()
    assert consumed == []
