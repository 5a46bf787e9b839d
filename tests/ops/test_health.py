"""/healthz answers 200 with each dependency's state, 503 as soon as one of them is wrong."""

import datetime

import pytest
from django.utils import timezone

from fundraising.celery import app
from fundraising.ops import tasks
from fundraising.payments.models import StripeEvent

OPERATOR = {"Authorization": "Bearer healthz-operator-token"}


@pytest.fixture(autouse=True)
def operator_token(settings):
    settings.HEALTHZ_TOKEN = "healthz-operator-token"


@pytest.fixture
def with_broker():
    """As in production: tasks go through a broker (the configured one), so beat is expected to run."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def event(minutes_ago, processed=False):
    e = StripeEvent.objects.create(stripe_id=f"evt_{minutes_ago}_{processed}", type="charge.succeeded", payload={})
    received = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    StripeEvent.objects.filter(pk=e.pk).update(received_at=received, processed_at=timezone.now() if processed else None)


def test_it_reports_everything_ok(client, db):
    event(2)
    event(60, processed=True)
    response = client.get("/healthz", headers=OPERATOR)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["cache"]["ok"] and body["broker"]["ok"]
    assert 115 <= body["events"]["oldest_unprocessed_seconds"] <= 125
    assert "no-cache" in response["Cache-Control"]


def test_it_fails_when_an_event_waits_too_long(client, db):
    event(20)
    response = client.get("/healthz", headers=OPERATOR)
    assert response.status_code == 503
    assert response.json()["events"]["ok"] is False
    assert "waited 12" in response.json()["events"]["error"]


def test_it_gives_a_fresh_start_time_for_beat_to_run_first(client, db, with_broker, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC), tick=False)
    response = client.get("/healthz", headers=OPERATOR)
    assert response.status_code == 200, response.json()
    assert response.json()["beat"]["note"] == "starting: beat has not run yet"

    time_machine.move_to(datetime.datetime(2026, 6, 1, 12, 11, tzinfo=datetime.UTC), tick=False)
    response = client.get("/healthz", headers=OPERATOR)
    assert response.status_code == 503
    assert response.json()["beat"] == {"ok": False, "error": "RuntimeError: beat has never run"}

    tasks.beat_heartbeat.apply()  # what beat runs every minute
    response = client.get("/healthz", headers=OPERATOR)
    assert response.status_code == 200, response.json()
    assert response.json()["beat"]["age_seconds"] == 0


def test_it_reports_the_version_and_failed_notices(client, db):
    from fundraising import __version__

    body = client.get("/healthz", headers=OPERATOR).json()
    assert body["version"] == __version__
    assert body["journal"]["notices_failed"] == 0


def test_it_fails_when_beat_stopped(client, db, with_broker, time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC), tick=False)
    tasks.beat_heartbeat.apply()
    time_machine.move_to(datetime.datetime(2026, 6, 1, 12, 11, tzinfo=datetime.UTC), tick=False)
    body = client.get("/healthz", headers=OPERATOR).json()
    assert body["status"] == "fail"
    assert body["beat"]["ok"] is False


def test_it_fails_when_the_broker_is_unreachable(client, db, with_broker):
    tasks.beat_heartbeat.apply()
    url, app.conf.broker_url = app.conf.broker_url, "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz", headers=OPERATOR)
    finally:
        app.conf.broker_url = url
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True


def test_it_fails_when_the_cache_is_unreachable(client, db, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/healthz", headers=OPERATOR)
    assert response.status_code == 503
    assert response.json()["cache"]["ok"] is False


def test_it_reports_queue_depth_on_redis(client, db, redis_url, with_broker):
    from fundraising.ops.tasks import beat_heartbeat

    url, app.conf.broker_url = app.conf.broker_url, redis_url
    try:
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete("fundraising")
        beat_heartbeat.delay()  # no worker here: it waits in the queue
        broker = client.get("/healthz", headers=OPERATOR).json()["broker"]
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete("fundraising")
    finally:
        app.conf.broker_url = url
    assert broker["ok"] is True and broker["mode"] == "redis", broker
    assert broker["queued"]["fundraising"] == 1, broker
    assert broker["queued"]["refresh"] == 0
