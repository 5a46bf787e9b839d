"""/healthz tells the public only ok or fail, fast and without error text; operators get the details."""

import time

import pytest

from fundraising.ops import health
from tests.factories import UserFactory

DEAD_REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}


@pytest.fixture(autouse=True)
def fresh_public_status(settings, monkeypatch):
    settings.HEALTHZ_TOKEN = "healthz-operator-token"
    monkeypatch.setitem(health._public, "at", float("-inf"))


def test_it_tells_anonymous_callers_only_the_status(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_keeps_error_text_from_anonymous_callers_when_redis_is_down(client, db, settings):
    settings.CACHES = DEAD_REDIS
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json() == {"status": "fail"}
    assert b"127.0.0.1" not in response.content and b"Error" not in response.content


@pytest.mark.parametrize("header", ["", "Bearer wrong-token", "Basic healthz-operator-token", "Bearer "])
def test_it_gives_details_only_for_the_right_token(client, db, settings, header):
    settings.CACHES = DEAD_REDIS
    assert client.get("/healthz", headers={"Authorization": header}).json() == {"status": "fail"}


def test_it_gives_details_to_the_token_and_to_superusers(client, db, settings):
    settings.CACHES = DEAD_REDIS
    body = client.get("/healthz", headers={"Authorization": "Bearer healthz-operator-token"}).json()
    assert body["cache"]["ok"] is False and "127.0.0.1" in body["cache"]["error"]
    client.force_login(UserFactory(username="operator", is_staff=True, is_superuser=True))
    assert client.get("/healthz").json()["cache"]["ok"] is False


def test_it_gives_organisation_members_only_the_status(client, db, settings):
    settings.CACHES = DEAD_REDIS
    client.force_login(UserFactory(username="member", is_staff=True))  # every organisation member is staff
    assert client.get("/healthz").json() == {"status": "fail"}


def test_it_gives_no_details_without_a_configured_token(client, db, settings):
    settings.HEALTHZ_TOKEN = ""
    assert client.get("/healthz", headers={"Authorization": "Bearer "}).json() == {"status": "ok"}


def test_it_checks_at_most_once_a_second_for_the_public(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # one run of the checks (6 queries), not twenty
        for _ in range(20):
            assert client.get("/healthz").status_code == 200
