"""A handler that fails keeps its error and attempts, is retried with backoff, and applies once fixed."""

import pytest

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.payments import handlers, stripe_events, tasks
from fundraising.payments.models import StripeEvent
from tests.stripe_standin import events


def test_it_records_errors_and_retries(campaign, monkeypatch, django_capture_on_commit_callbacks):
    from fundraising.celery import app

    # Eager Celery replays retries at once (countdowns ignored) only when it does not propagate errors.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    evt = events.event("checkout.session.completed", events.checkout_session(amount=700))
    broken = {"n": 0}

    def flaky(obj, when):
        broken["n"] += 1
        raise RuntimeError("database hiccup")

    monkeypatch.setitem(handlers.EVENT_HANDLERS, "checkout.session.completed", flaky)
    record = StripeEvent.objects.create(stripe_id=evt["id"], type=evt["type"], payload=evt)
    result = tasks.stripe_event_process_task.delay(record.pk)
    assert result.failed()
    record.refresh_from_db()
    assert broken["n"] == tasks.MAX_RETRIES + 1
    assert record.attempts == tasks.MAX_RETRIES + 1
    assert record.error == "RuntimeError: database hiccup"
    assert record.processed_at is None

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):  # the period refresh runs after commit
        tasks.stripe_event_process_task.delay(record.pk)
    record.refresh_from_db()
    assert record.processed_at is not None and record.error == ""
    assert record.attempts == tasks.MAX_RETRIES + 2
    assert Donation.objects.get().amount == 700
    assert Period.objects.get().raised == 700

    # A sweep re-enqueueing a processed event does not apply it again: the handler is not even called.
    applied = []
    real = handlers.EVENT_HANDLERS["checkout.session.completed"]
    monkeypatch.setitem(handlers.EVENT_HANDLERS, "checkout.session.completed", lambda *a: applied.append(a) or real(*a))
    processed_at = record.processed_at
    with django_capture_on_commit_callbacks(execute=True):
        tasks.stripe_event_process_task.delay(record.pk)
    record.refresh_from_db()
    assert applied == []
    assert (record.processed_at, record.attempts) == (processed_at, tasks.MAX_RETRIES + 2)
    assert Period.objects.get().raised == 700


def test_it_backs_off_exponentially(monkeypatch):
    seen = []

    def retry(*, exc, countdown):
        seen.append(countdown)
        raise exc

    monkeypatch.setattr(stripe_events, "stripe_event_process", lambda **kw: (_ for _ in ()).throw(ValueError("x")))
    for retries in range(12):
        task = tasks.stripe_event_process_task
        task.push_request(retries=retries)
        monkeypatch.setattr(task, "retry", retry)
        with pytest.raises(ValueError):
            task.run(1)
        task.pop_request()
    assert seen[:5] == [2, 4, 8, 16, 32] and max(seen) == tasks.BACKOFF_CAP_SECONDS
