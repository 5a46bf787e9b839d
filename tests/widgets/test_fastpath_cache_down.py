"""With Redis (the cache) down, plain widget requests are served from the snapshot files by the fast
path and the view instead of a 500, and the webhook still stores the event and answers 200."""

import pytest
from django.core.cache import caches

from fundraising.payments.models import StripeEvent
from tests.factories import SeedCampaignFactory
from tests.stripe_standin import events
from tests.worker import RedisServer
from tests.wsgi_call import wsgi_get


@pytest.fixture
def redis_down(transactional_db, widget_root, settings, monkeypatch):
    """The widgets written while Redis was up, then Redis stopped."""
    from fundraising.wsgi import application

    server = RedisServer().start()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": server.url}}
    try:
        SeedCampaignFactory()
        server.stop()
        caches["default"].close()
        monkeypatch.setattr(application, "memo", {})
        yield
    finally:
        server.stop()


@pytest.mark.parametrize("path", ["/w/lights.json", "/w/lights.svg", "/w/lights/"])
def test_it_serves_widgets_from_the_files(redis_down, path):
    status, _, body = wsgi_get(path)
    assert status == 200 and b"100 $" in body


def test_it_serves_a_variant_through_django(redis_down):
    status, _, body = wsgi_get("/w/lights.svg", "theme=dark")
    assert status == 200 and b"100 $" in body


def test_it_stores_a_webhook_event_and_answers_200(redis_down, client):
    evt = events.event("checkout.session.completed", events.checkout_session(amount=6400, campaign="lights"))
    response = events.post_event(client, evt)
    assert response.status_code == 200
    assert StripeEvent.objects.filter(stripe_id=evt["id"]).exists()


def test_it_logs_that_the_cache_is_down_and_what_it_does_instead(redis_down, caplog):
    caplog.set_level("WARNING", logger="fundraising.widgets.services")
    status, _, _ = wsgi_get("/w/lights.svg", "theme=dark")  # Django: the entry from the files, not stored
    assert status == 200
    messages = {r.getMessage() for r in caplog.records if r.name == "fundraising.widgets.services"}
    assert messages == {
        "widget cache unavailable (ConnectionError), reading snapshot files",
        "widget cache unavailable (ConnectionError), not stored",
    }
