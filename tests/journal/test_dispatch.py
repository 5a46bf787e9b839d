"""fundraising/journal: entries are written with the change, dispatched after commit to the consumers of their
kind, and swept again when the dispatch did not happen or a consumer failed."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from fundraising.journal import dispatch, kinds
from fundraising.journal.models import Entry
from fundraising.journal.services import Happening, entries_write, entry_write
from tests.journal_helpers import dispatch_held


@pytest.fixture
def seen(monkeypatch):
    """A consumer of period.changed that records what it was given (and fails while `fail` is set)."""
    calls = {"entries": [], "fail": False}

    def consumer(entries):
        if calls["fail"]:
            raise RuntimeError("consumer down")
        calls["entries"].extend(entry.key for entry in entries)

    monkeypatch.setitem(dispatch.CONSUMERS, kinds.PERIOD_CHANGED, [("test", consumer)])
    return calls


def test_it_dispatches_after_commit_not_before(transactional_db, seen):
    with transaction.atomic():
        entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:a", period_id=1)
        assert seen["entries"] == []  # nothing happens before the change is committed
    assert seen["entries"] == ["period.changed:a"]
    assert Entry.objects.get(key="period.changed:a").dispatched_at is not None


def test_a_rolled_back_change_leaves_no_entry_and_no_side_effect(transactional_db, seen):
    with pytest.raises(RuntimeError), transaction.atomic():
        entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:b", period_id=1)
        raise RuntimeError("the write failed")
    assert seen["entries"] == [] and not Entry.objects.exists()


def test_a_key_written_twice_is_one_entry_dispatched_once(transactional_db, seen):
    first = entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:c", period_id=1)
    again = entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:c", period_id=1)
    assert first is not None and again is None
    assert seen["entries"] == ["period.changed:c"]


def test_a_failing_consumer_leaves_the_entry_for_the_sweep(transactional_db, seen):
    seen["fail"] = True
    entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:d", period_id=1)
    entry = Entry.objects.get(key="period.changed:d")
    assert entry.dispatched_at is None and entry.attempts == 1 and "consumer down" in entry.last_error
    seen["fail"] = False
    assert dispatch.entries_sweep(grace=datetime.timedelta(0)) == 1
    assert seen["entries"] == ["period.changed:d"]
    assert dispatch.entries_sweep(grace=datetime.timedelta(0)) == 0  # dispatched: never again


def test_the_sweep_leaves_fresh_entries_to_their_own_dispatch(transactional_db, seen):
    with dispatch_held():
        entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:e", period_id=1)
    assert dispatch.entries_sweep() == 0  # within the grace: its after-commit dispatch may still be running
    later = timezone.now() + dispatch.SWEEP_GRACE + datetime.timedelta(seconds=1)
    assert dispatch.entries_sweep(now=later) == 1 and seen["entries"] == ["period.changed:e"]


def test_many_entries_go_in_one_statement_each_new_one_once(transactional_db, seen, django_assert_num_queries):
    happenings = [Happening(kind=kinds.PERIOD_CHANGED, key=f"period.changed:{n}", period_id=n) for n in range(50)]
    with dispatch_held(), django_assert_num_queries(1):
        assert len(entries_write(happenings)) == 50
    with dispatch_held():
        assert entries_write(happenings) == []


def test_it_refuses_a_kind_no_one_declared(db):
    with pytest.raises(ValueError, match="unknown journal kind"):
        entry_write(kind="donation.teleported")


def test_the_entries_of_one_transaction_are_dispatched_together(transactional_db, monkeypatch):
    """A drain's batch writes each event's entries apart (in savepoints): one dispatch for them all, so the batch
    queues one refresh task and one receipts task; what a rolled-back savepoint wrote is not dispatched."""
    calls = []
    consumer = ("test", lambda entries: calls.append([entry.key for entry in entries]))
    monkeypatch.setitem(dispatch.CONSUMERS, kinds.PERIOD_CHANGED, [consumer])
    with transaction.atomic():
        entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:1", period_id=1)
        with transaction.atomic():
            entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:2", period_id=1)
        with pytest.raises(RuntimeError), transaction.atomic():
            entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:gone", period_id=1)
            raise RuntimeError("this event failed")
        entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:3", period_id=1)
        assert calls == []
    assert calls == [["period.changed:1", "period.changed:2", "period.changed:3"]]
    assert not Entry.objects.filter(dispatched_at__isnull=True).exists()
    entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:4", period_id=1)  # autocommit: at once, alone
    assert calls[-1] == ["period.changed:4"]


def test_it_counts_only_entries_left_undispatched_beyond_the_grace(db):
    now = timezone.now()
    grace = dispatch.SWEEP_GRACE
    for key, age, dispatched in [("old-waiting", grace * 2, None), ("old-done", grace * 2, now),
                                 ("fresh-waiting", grace / 2, None)]:  # fmt: skip
        Entry.objects.create(kind=kinds.PERIOD_CHANGED, key=key, created_at=now - age, dispatched_at=dispatched)
    assert dispatch.entries_undispatched() == 1
    assert dispatch.entries_undispatched(older_than=grace / 4) == 2


def test_the_sweep_walks_past_entries_whose_consumer_still_fails(db, seen, monkeypatch):
    """More failing entries than a batch: each is tried once per sweep and the sweep ends (it never reads the same
    batch again)."""
    monkeypatch.setattr(dispatch, "SWEEP_BATCH", 2)
    old = timezone.now() - dispatch.SWEEP_GRACE * 2
    for n in range(5):
        Entry.objects.create(kind=kinds.PERIOD_CHANGED, key=f"failing-{n}", created_at=old)
    batches, dispatch_batch = [], dispatch.entries_dispatch

    def counted(**kwargs):
        batches.append(kwargs["entry_ids"])
        assert len(batches) <= 3, f"the sweep reads the same entries again: {batches}"  # not a hang
        return dispatch_batch(**kwargs)

    monkeypatch.setattr(dispatch, "entries_dispatch", counted)
    seen["fail"] = True
    assert dispatch.entries_sweep() == 0
    assert len(batches) == 3
    assert sorted(Entry.objects.values_list("attempts", flat=True)) == [1] * 5
    seen["fail"], batches[:] = False, []
    assert dispatch.entries_sweep() == 5 and len(seen["entries"]) == 5


def test_the_sweep_costs_what_waits_not_the_journals_history(db, seen, monkeypatch, django_assert_num_queries):
    """Entries dispatched long ago are not read again: with none waiting, one query, however many there are."""
    monkeypatch.setattr(dispatch, "SWEEP_BATCH", 2)
    old = timezone.now() - dispatch.SWEEP_GRACE * 2
    for n in range(5):
        Entry.objects.create(kind=kinds.PERIOD_CHANGED, key=f"done-{n}", created_at=old, dispatched_at=old)
    with django_assert_num_queries(1):
        assert dispatch.entries_sweep() == 0
    assert seen["entries"] == []


def test_two_consumers_of_a_kind_without_names_are_both_kept(monkeypatch):
    monkeypatch.setitem(dispatch.CONSUMERS, "test.kind", [])

    def first(entries):
        pass

    def second(entries):
        pass

    dispatch.consumer_register("test.kind", first)
    dispatch.consumer_register("test.kind", second)
    dispatch.consumer_register("test.kind", first)  # the same one again: kept once
    assert [consumer for _name, consumer in dispatch.CONSUMERS["test.kind"]] == [second, first]


def test_a_dispatch_by_ids_runs_those_entries_only_and_never_one_already_dispatched(db, seen):
    now = timezone.now()
    for key, dispatched in [("asked", None), ("other", None), ("done", now)]:
        Entry.objects.create(kind=kinds.PERIOD_CHANGED, key=key, dispatched_at=dispatched)
    ids = dict(Entry.objects.values_list("key", "pk"))
    assert dispatch.entries_dispatch(entry_ids=[ids["asked"], ids["done"]]) == 1
    assert seen["entries"] == ["asked"]  # not "other" (another transaction's, its own dispatch is coming)
    assert Entry.objects.get(key="done").dispatched_at == now  # nor "done" again
    assert Entry.objects.get(key="other").dispatched_at is None


def test_an_entry_of_a_kind_nobody_consumes_is_simply_dispatched(db, monkeypatch):
    monkeypatch.delitem(dispatch.CONSUMERS, kinds.PERIOD_CHANGED, raising=False)
    entry = Entry.objects.create(kind=kinds.PERIOD_CHANGED, key="nobody")
    assert dispatch.entries_dispatch(entry_ids=[entry.pk]) == 1
    entry.refresh_from_db()
    assert entry.dispatched_at is not None and entry.last_error == ""


def test_a_failing_consumer_is_logged_and_recorded_with_its_error(db, seen, caplog):
    seen["fail"] = True
    for n in range(2):
        Entry.objects.create(kind=kinds.PERIOD_CHANGED, key=f"e{n}")
    assert dispatch.entries_dispatch(entry_ids=list(Entry.objects.values_list("pk", flat=True))) == 0
    assert [record.getMessage() for record in caplog.records if record.name == "fundraising.journal.dispatch"] == [
        "journal: a consumer of period.changed failed on 2 entries"
    ]
    assert set(Entry.objects.values_list("attempts", "last_error")) == {(1, "RuntimeError: consumer down")}


def test_one_kinds_failure_holds_back_neither_the_other_kinds_nor_their_count(db, monkeypatch):
    """Entries of two kinds in one dispatch: the first kind's consumer fails, the second's entries are still
    consumed and marked (one attempt each); the failed ones keep their error, cut to 2,000 characters."""
    consumed = []

    def failing(entries):
        raise RuntimeError("x" * 3000)

    monkeypatch.setitem(dispatch.CONSUMERS, kinds.PERIOD_CHANGED, [("failing", failing)])
    monkeypatch.setitem(dispatch.CONSUMERS, kinds.CAMPAIGN_UPDATED, [("ok", consumed.extend)])
    first = Entry.objects.create(kind=kinds.PERIOD_CHANGED, key="first")
    second = Entry.objects.create(kind=kinds.CAMPAIGN_UPDATED, key="second")
    assert dispatch.entries_dispatch(entry_ids=[first.pk, second.pk]) == 1
    assert [entry.key for entry in consumed] == ["second"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.dispatched_at is not None, second.attempts) == (True, 1)
    assert (first.dispatched_at, first.attempts, len(first.last_error)) == (None, 1, 2000)
    assert first.last_error.startswith("RuntimeError: xxx")


def test_an_entry_another_dispatch_marked_meanwhile_is_not_marked_again(db, seen):
    """The sweep read the entry just before its after-commit dispatch marked it: the sweep's run of the consumer
    (idempotent) leaves the first mark and attempt count as they were."""
    entry = Entry.objects.create(kind=kinds.PERIOD_CHANGED, key="raced")
    stale = Entry.objects.get(pk=entry.pk)
    assert dispatch.entries_dispatch(entry_ids=[entry.pk]) == 1
    marked = Entry.objects.values_list("dispatched_at", "attempts").get(pk=entry.pk)
    dispatch.entries_dispatch(entries=[stale])
    assert Entry.objects.values_list("dispatched_at", "attempts").get(pk=entry.pk) == marked
    assert marked[1] == 1
