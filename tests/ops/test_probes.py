"""/livez and /readyz: what a load balancer probes, about this node only, answered whatever the Host."""

import datetime

import pytest
from django.utils import timezone

from fundraising.ops import probes
from fundraising.payments.models import StripeEvent

DEAD_REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/4",
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_readiness(monkeypatch):
    monkeypatch.setitem(probes._ready, "at", float("-inf"))


@pytest.mark.parametrize("path", ["/livez", "/readyz"])
def test_it_answers_a_probe_that_sends_an_ip_as_host_over_plain_http(client, db, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(path, HTTP_HOST="10.20.30.40:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert client.get("/healthz", HTTP_HOST="10.20.30.40:8000").status_code == 400  # the rest stays guarded


def test_it_is_not_ready_without_its_cache_but_still_alive(client, db, settings):
    settings.CACHES = DEAD_REDIS
    assert client.get("/readyz").status_code == 503
    assert client.get("/livez").status_code == 200


def test_it_stays_ready_when_site_wide_state_is_unhealthy(client, db, settings):
    settings.HEALTHZ_TOKEN = ""
    event = StripeEvent.objects.create(stripe_id="evt_stuck", type="charge.succeeded", payload={})
    StripeEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - datetime.timedelta(hours=1))
    assert client.get("/healthz").status_code == 503  # monitoring sees the stuck event
    assert client.get("/readyz").status_code == 200  # the load balancer keeps the node


def test_it_checks_at_most_once_a_second(client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        for _ in range(20):
            assert client.get("/readyz").status_code == 200
    # One check: "SELECT 1" (on PostgreSQL between setting and resetting a statement timeout).
    assert [q["sql"] for q in queries.captured_queries].count("SELECT 1") == 1
