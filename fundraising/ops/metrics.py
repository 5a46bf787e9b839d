"""/metrics in Prometheus' text format, computed from the database and the broker at scrape time: every gunicorn
worker answers the same figures (no per-process counters to merge), and a restart loses nothing.

Counters are counts of rows (events received, applied, given up; notices sent, failed), so they only go
down when rows are deleted. The widget lag is how far the oldest open month's totals trail its ledger."""

import secrets

from django.conf import settings
from django.db.models import Count, F, Max, Q
from django.http import HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .health import _broker

METRICS_PATH = "/metrics"


def _events():
    from fundraising.payments.models import StripeEvent
    from fundraising.payments.stripe_events import EVENT_MAX_ATTEMPTS

    counts = StripeEvent.objects.aggregate(
        received=Count("pk"),
        applied=Count("pk", filter=Q(processed_at__isnull=False)),
        failed=Count("pk", filter=Q(processed_at__isnull=True, attempts__gte=EVENT_MAX_ATTEMPTS)),
        waiting=Count("pk", filter=Q(processed_at__isnull=True, attempts__lt=EVENT_MAX_ATTEMPTS)),
    )
    for name in ("received", "applied", "failed"):
        yield CounterMetricFamily(f"fundraising_stripe_events_{name}", f"Stripe events {name}", value=counts[name])
    yield GaugeMetricFamily("fundraising_stripe_events_waiting", "Stripe events stored, not applied yet",
                            value=counts["waiting"])  # fmt: skip


def _notices():
    from fundraising.supporters.models import Notice

    by_status = dict(Notice.objects.values_list("status").annotate(n=Count("pk")))
    for status in ("sent", "failed"):
        yield CounterMetricFamily(f"fundraising_notices_{status}", f"E-mails to supporters {status}",
                                  value=by_status.get(status, 0))  # fmt: skip
    waiting = GaugeMetricFamily("fundraising_notices_waiting", "E-mails still to send", labels=["status"])
    for status in ("queued", "retrying"):
        waiting.add_metric([status], by_status.get(status, 0))
    yield waiting


def _queues():
    from fundraising.celery import app

    depth = GaugeMetricFamily("fundraising_queue_depth", "Tasks waiting in each broker queue", labels=["queue"])
    try:
        report = _broker(app)
    except Exception:  # the broker is down: no figure rather than a wrong one (/healthz says why)
        report = {}
    for queue, waiting in sorted(report.get("queued", {}).items()):
        depth.add_metric([queue], waiting)
    yield depth


def _widget_lag():
    """Seconds the widget totals of open months trail the latest change to their gifts (0 when up to date)."""
    from fundraising.ledger.models import Donation

    now = timezone.now()
    rows = (
        Donation.objects.filter(period__closed_at__isnull=True)
        .values("period")
        .annotate(changed=Max("updated_at"), refreshed=F("period__recomputed_at"))
    )
    lag = max(((r["changed"] - (r["refreshed"] or r["changed"])).total_seconds() for r in rows), default=0.0)
    yield GaugeMetricFamily("fundraising_widget_refresh_lag_seconds", "How far open months' totals trail their "
                            "ledger", value=max(lag, 0.0))  # fmt: skip
    yield GaugeMetricFamily("fundraising_scrape_timestamp_seconds", "When these figures were read",
                            value=now.timestamp())  # fmt: skip


class ScrapeCollector:
    def collect(self):
        for part in (_events, _notices, _queues, _widget_lag):
            yield from part()


def metrics_text():
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ScrapeCollector())
    return generate_latest(registry)


def metrics_response(request):
    """403 while METRICS_TOKEN is unset (nothing exposed by default); 401 without `Authorization: Bearer` it."""
    if not settings.METRICS_TOKEN:
        return HttpResponse("/metrics is off: set METRICS_TOKEN.\n", status=403, content_type="text/plain")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = settings.METRICS_TOKEN.encode()
    if scheme.lower() != "bearer" or not secrets.compare_digest(token.strip().encode(), expected):
        return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
