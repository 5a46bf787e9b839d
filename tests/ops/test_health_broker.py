"""/healthz's broker and cache parts, whole: which broker the tasks go through, and on Redis how many tasks wait
in each queue and how many a worker holds unacknowledged; a cache that does not give back what was stored
fails the check with a message that says so."""

import pytest

from fundraising.celery import app
from fundraising.ops import health
from fundraising.pipeline import tasks


@pytest.fixture
def with_broker():
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def report(part):
    return health.health_report()[0][part]


def test_without_a_broker_tasks_run_in_process(db):
    assert report("broker") == {"ok": True, "mode": "in-process"}


def test_a_broker_without_queues_to_count_is_named_only(db, with_broker):
    saved = app.conf.broker_url, app.conf.broker_transport  # the Redis transport where REDIS_URL is set
    app.conf.broker_url, app.conf.broker_transport = "memory://", None
    try:
        assert report("broker") == {"ok": True, "mode": "memory"}
    finally:
        app.conf.broker_url, app.conf.broker_transport = saved


def test_on_redis_each_queue_and_the_unacked_tasks_are_counted(db, redis_url, with_broker):
    url, app.conf.broker_url = app.conf.broker_url, redis_url
    try:
        with app.connection_for_write() as conn:
            channel = conn.default_channel
            channel.client.delete("fundraising", "refresh", channel.unacked_key)
            channel.client.hset(channel.unacked_key, "tag-held-by-a-worker", "[]")
        tasks.periods_refresh_task.apply_async(([1],))  # no worker here: they wait in their queues
        tasks.periods_refresh_task.apply_async(([2],))
        tasks.periods_sweep.delay()
        broker = report("broker")
    finally:
        with app.connection_for_write() as conn:
            conn.default_channel.client.delete("fundraising", "refresh", conn.default_channel.unacked_key)
        app.conf.broker_url = url
    queued = broker.pop("queued")
    assert broker == {"ok": True, "mode": "redis", "unacked": 1}
    assert queued == {"fundraising": 1, "refresh": 2}  # the queues the workers consume, and only those


def test_a_cache_that_keeps_nothing_fails_the_check(db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert report("cache") == {"ok": False, "error": "RuntimeError: the cache did not return what was stored"}
    assert health.health_report()[1] is False
