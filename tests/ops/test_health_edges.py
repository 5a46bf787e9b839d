"""/healthz at its limits: an event or a beat exactly at its stale age still passes, one second later fails
with the message that says which; the public status is recomputed exactly when its second is up."""

import datetime
import types

import pytest

from fundraising.celery import app
from fundraising.ops import health, tasks
from fundraising.payments.models import StripeEvent

OPERATOR = {"Authorization": "Bearer healthz-operator-token"}
NOON = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def operator_token(settings):
    settings.HEALTHZ_TOKEN = "healthz-operator-token"


@pytest.fixture
def with_broker():
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def at(time_machine, seconds):
    time_machine.move_to(NOON + datetime.timedelta(seconds=seconds), tick=False)


def beat(client):
    return client.get("/healthz", headers=OPERATOR).json()["beat"]


def test_it_lets_an_event_wait_exactly_the_stale_age(client, db, time_machine):
    at(time_machine, 0)
    StripeEvent.objects.create(stripe_id="evt_waiting", type="charge.succeeded", payload={})
    at(time_machine, health.EVENT_STALE_SECONDS)
    events = client.get("/healthz", headers=OPERATOR).json()["events"]
    assert events == {"ok": True, "oldest_unprocessed_seconds": 900}
    at(time_machine, health.EVENT_STALE_SECONDS + 1)
    events = client.get("/healthz", headers=OPERATOR).json()["events"]
    assert events == {"ok": False, "error": "RuntimeError: an event has waited 901 s"}


def test_it_gives_beat_exactly_its_stale_age_to_start(client, db, with_broker, time_machine):
    at(time_machine, 0)
    starting = {"ok": True, "last_run": None, "age_seconds": None, "note": "starting: beat has not run yet"}
    assert beat(client) == starting
    at(time_machine, health.BEAT_STALE_SECONDS)
    assert beat(client) == starting
    at(time_machine, health.BEAT_STALE_SECONDS + 1)
    assert beat(client) == {"ok": False, "error": "RuntimeError: beat has never run"}


def test_it_accepts_a_beat_exactly_the_stale_age_old_and_says_when_it_stopped(client, db, with_broker, time_machine):
    at(time_machine, 0)
    tasks.beat_heartbeat.apply()
    at(time_machine, health.BEAT_STALE_SECONDS)
    assert beat(client) == {"ok": True, "last_run": NOON.isoformat(), "age_seconds": 600}
    at(time_machine, health.BEAT_STALE_SECONDS + 1)
    assert beat(client) == {"ok": False, "error": "RuntimeError: beat has not run recently"}


def test_it_recomputes_the_public_status_exactly_when_its_second_is_up(db, monkeypatch):
    clock = types.SimpleNamespace(now=100.0)
    monkeypatch.setattr(health, "time", types.SimpleNamespace(monotonic=lambda: clock.now))
    monkeypatch.setitem(health._public, "at", 100.0 - health.PUBLIC_REPORT_SECONDS + 0.5)
    monkeypatch.setitem(health._public, "healthy", False)  # an earlier failure, still fresh
    assert health.health_status() is False
    monkeypatch.setitem(health._public, "at", 100.0 - health.PUBLIC_REPORT_SECONDS)
    assert health.health_status() is True
    assert health._public["at"] == 100.0


def test_it_counts_what_waits_to_follow_a_write(client, db, campaign, time_machine):
    from fundraising.journal.models import Entry
    from fundraising.supporters.models import Notice

    at(time_machine, 0)
    for seconds, dispatched in ((-100, False), (-50, False), (-2000, True)):
        Entry.objects.create(kind="test", key=f"k{seconds}", created_at=NOON + datetime.timedelta(seconds=seconds),
                             dispatched_at=NOON if dispatched else None)  # fmt: skip
    due = {"overdue": NOON - datetime.timedelta(minutes=5), "fresh": NOON - datetime.timedelta(minutes=4, seconds=59)}
    for status, when in (("queued", "overdue"), ("retrying", "overdue"), ("queued", "fresh"), ("retrying", "fresh"),
                         ("sent", "overdue"), ("failed", "overdue")):  # fmt: skip
        Notice.objects.create(key=f"{status}-{when}", kind="receipt", campaign=campaign, email="a@example.com",
                              status=status, due_at=due[when])  # fmt: skip
    assert client.get("/healthz", headers=OPERATOR).json()["journal"] == {
        "ok": True, "undispatched": 2, "oldest_undispatched_seconds": 100, "notices_overdue": 2,
        "notices_failed": 1, "warning": "side effects of committed writes are waiting: is beat running?",
    }  # fmt: skip


def test_it_warns_when_a_journal_entry_waited_longer_than_an_event_may(client, db, time_machine):
    from fundraising.journal.models import Entry

    at(time_machine, 0)
    Entry.objects.create(kind="test", key="late", created_at=NOON)
    at(time_machine, health.EVENT_STALE_SECONDS)
    quiet = {"ok": True, "undispatched": 1, "oldest_undispatched_seconds": 900, "notices_overdue": 0,
             "notices_failed": 0}  # fmt: skip
    assert client.get("/healthz", headers=OPERATOR).json()["journal"] == quiet
    at(time_machine, health.EVENT_STALE_SECONDS + 1)
    journal = client.get("/healthz", headers=OPERATOR).json()["journal"]
    assert journal["warning"] == "side effects of committed writes are waiting: is beat running?"


def test_it_tells_what_the_last_webhook_endpoint_check_found(client, db):
    from fundraising.payments.endpoint import endpoint_check_store

    assert client.get("/healthz", headers=OPERATOR).json()["stripe_endpoint"] == {"ok": True, "checked_at": None}
    endpoint_check_store(missing=["invoice.paid"])
    endpoint = client.get("/healthz", headers=OPERATOR).json()["stripe_endpoint"]
    assert endpoint["ok"] is True and endpoint["missing_events"] == ["invoice.paid"]
    assert endpoint["warning"] == "the webhook endpoint misses events the app needs: run stripe_webhook_setup"


def test_it_cuts_a_failures_text_at_200_characters():
    def probe():
        raise RuntimeError("x" * 300)

    assert health._check(probe) == {"ok": False, "error": "RuntimeError: " + "x" * 186}


@pytest.mark.postgres
def test_it_bounds_the_database_check_and_resets_the_bound_on_postgres(db, postgres):
    from django.db import connection

    ran = []

    def record(execute, sql, params, many, context):
        ran.append((" ".join(sql.split()).upper(), params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert health._check(health._database) == {"ok": True}
    assert ran == [("SET STATEMENT_TIMEOUT = %S", [500]), ("SELECT 1", None), ("RESET STATEMENT_TIMEOUT", None)]
