"""Without a broker, failed or unprocessed events are retried by the in-process beat: after a
Django response (EmbeddedBeat) or from `manage.py beat_run` under cron; each task once per interval."""

import datetime

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from fundraising.campaigns.models import Period
from fundraising.celery import app
from fundraising.ops.beat import beat_due_run, task_of
from fundraising.payments.models import StripeEvent
from tests.stripe_standin import events


def event_left_unprocessed(client):
    """An event stored while nothing applied it (as if its in-process attempt had failed), 5 min ago."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = "memory://", False
    try:
        evt = events.event("checkout.session.completed", events.checkout_session(amount=6400, campaign="lights"))
        assert events.post_event(client, evt).status_code == 200
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
    StripeEvent.objects.filter(stripe_id=evt["id"]).update(received_at=timezone.now() - datetime.timedelta(minutes=5))
    return StripeEvent.objects.get(stripe_id=evt["id"])


def test_it_applies_a_left_over_event_from_beat_run(transactional_db, client, campaign, capsys):
    stored = event_left_unprocessed(client)
    call_command("beat_run")
    stored.refresh_from_db()
    assert stored.processed_at is not None
    assert Period.objects.get(campaign=campaign).raised == 6400
    assert "events-sweep" in capsys.readouterr().out


def test_it_runs_each_task_once_per_interval_across_calls(client, campaign):
    assert "events-sweep" in beat_due_run()
    stored = event_left_unprocessed(client)
    assert beat_due_run() == []  # claimed for its interval in the shared cache
    stored.refresh_from_db()
    assert stored.processed_at is None


def test_it_schedules_only_tasks_registered_under_those_names():
    """A renamed task must be renamed in the schedule too: beat would send a name no worker knows (and the
    in-process beat would only log the error)."""
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert task_of(entry["task"]).name == entry["task"]
        assert entry["task"] in app.tasks
