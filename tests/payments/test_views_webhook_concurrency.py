"""12 concurrent webhook senders against gunicorn -w 2: every answer 2xx, totals exact, and every
worker serves the new total within 1 s; on the embedded default and on PostgreSQL + Redis."""

import os
from urllib.parse import urlparse

import pytest
from django.conf import settings

from bench.embedded import run

pytestmark = pytest.mark.server


def assert_aims(report):
    assert report["answers_2xx"] == report["deliveries"] == 225, report
    assert report["widgets_seen"] == [report["expected_raised"]], report  # exact: duplicates counted once
    assert report["every_worker_seconds"] is not None and report["every_worker_seconds"] <= 1.0, report


def test_it_queues_concurrent_webhooks_on_the_embedded_default():
    report = run(settle_seconds=10)
    assert report["database"] == "sqlite" and report["cache"] == "database"
    assert report["first_read_seconds"] <= 1.0, report  # applied in the request, no broker
    assert_aims(report)


@pytest.mark.postgres
def test_it_handles_concurrent_webhooks_on_postgresql_and_redis(postgres, redis_url):
    redis = urlparse(redis_url)._replace(path=f"/{int(urlparse(redis_url).path.strip('/') or 0) + 1}").geturl()
    report = run(settle_seconds=20, database_url=os.environ["DATABASE_URL"], redis=redis)
    assert report["database"] == "postgresql" and settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    assert_aims(report)
