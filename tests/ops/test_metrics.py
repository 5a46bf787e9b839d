"""/metrics: Prometheus' text format for the token's holder, read from the database at scrape time."""

import datetime

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from fundraising.ledger.models import Donation
from fundraising.payments.models import StripeEvent
from fundraising.payments.stripe_events import EVENT_MAX_ATTEMPTS
from fundraising.supporters.models import Notice
from tests.stripe_standin import events

SCRAPER = {"Authorization": "Bearer metrics-scraper-token"}


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.METRICS_TOKEN = "metrics-scraper-token"


def scrape(client):
    response = client.get("/metrics", headers=SCRAPER, HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return {s.name: s.value for family in text_string_to_metric_families(response.content.decode())
            for s in family.samples if not s.labels}  # fmt: skip


def test_it_counts_events_notices_and_the_widget_lag(client, campaign):
    events.post_event(client, events.event("checkout.session.completed", events.checkout_session(amount=2500)))
    stuck = StripeEvent.objects.create(stripe_id="evt_stuck", type="charge.succeeded", payload={})
    StripeEvent.objects.filter(pk=stuck.pk).update(attempts=EVENT_MAX_ATTEMPTS, error="boom")
    Notice.objects.update(status="failed")
    figures = scrape(client)
    assert figures["fundraising_stripe_events_received_total"] == 2
    assert figures["fundraising_stripe_events_applied_total"] == 1
    assert figures["fundraising_stripe_events_failed_total"] == 1
    assert figures["fundraising_notices_failed_total"] == 1 and figures["fundraising_notices_sent_total"] == 0
    assert figures["fundraising_widget_refresh_lag_seconds"] < 5  # the gift's month was recomputed
    gift = Donation.objects.get()
    Donation.objects.filter(pk=gift.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=90))
    assert 85 <= scrape(client)["fundraising_widget_refresh_lag_seconds"] <= 95


@pytest.mark.parametrize(("token", "status"), [("", 403), ("wrong", 401)])
def test_it_answers_only_the_token(client, db, settings, token, status):
    if not token:
        settings.METRICS_TOKEN = ""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token or 'anything'}"})
    assert response.status_code == status
    assert b"fundraising_" not in response.content
