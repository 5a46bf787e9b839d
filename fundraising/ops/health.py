"""What /healthz reports: database, cache, broker, unprocessed Stripe events and the last beat run.

Each check is bounded in time (a dead dependency fails fast instead of holding the request), and the
public answer (status only) is computed at most once per PUBLIC_REPORT_SECONDS per process, so a flood
of anonymous /healthz requests costs no more than one check run a second."""

import datetime
import secrets
import threading
import time

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from fundraising import __version__

BEAT_KEY = "beat:last-run"
BEAT_FIRST_CHECK_KEY = "beat:first-check"
# Beat ticks every minute; a few missed ticks mean it is not running.
BEAT_STALE_SECONDS = 600
# The sweep re-enqueues events after a few minutes; one still waiting after this is stuck.
EVENT_STALE_SECONDS = 900
# Every check answers within about this long, or fails.
CHECK_TIMEOUT_SECONDS = 0.5
PUBLIC_REPORT_SECONDS = 1.0
_public = {"at": float("-inf"), "healthy": True}
_public_lock = threading.Lock()


def beat_record(*, now=None):
    cache.set(BEAT_KEY, (now or timezone.now()).isoformat(), timeout=None)


def _check(probe):
    try:
        return {"ok": True, **(probe() or {})}
    except Exception as exc:  # any failure of the dependency is the answer, not an error of /healthz
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:200]}


def _database():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # SET LOCAL would need a transaction; reset below
            cursor.execute("SET statement_timeout = %s", [int(CHECK_TIMEOUT_SECONDS * 1000)])
        try:
            cursor.execute("SELECT 1")
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("RESET statement_timeout")


def _cache():
    token = secrets.token_hex(8)
    cache.set("healthz:probe", token, timeout=30)
    if cache.get("healthz:probe") != token:
        raise RuntimeError("the cache did not return what was stored")


def _broker(app):
    """The broker answers; with Redis, how many tasks wait in each queue and how many workers hold unacked."""
    if app.conf.task_always_eager:
        return {"mode": "in-process"}
    with app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT_SECONDS)
        report = {"mode": app.conf.broker_url.split("://", 1)[0]}
        channel = conn.default_channel
        if hasattr(channel, "unacked_key"):  # kombu's Redis transport
            names = {queue.name for queue in app.conf.task_queues or ()} | {app.conf.task_default_queue}
            report["queued"] = {name: channel._size(name) for name in sorted(names)}
            report["unacked"] = channel.client.hlen(channel.unacked_key)
    return report


def _events(now):
    from fundraising.payments.models import StripeEvent

    oldest = StripeEvent.objects.filter(processed_at__isnull=True).order_by("received_at").first()
    age = int((now - oldest.received_at).total_seconds()) if oldest else None
    if age is not None and age > EVENT_STALE_SECONDS:
        raise RuntimeError(f"an event has waited {age} s")
    return {"oldest_unprocessed_seconds": age}


def _beat_waited(now):
    """Seconds since /healthz first saw no beat record (a fresh install, or Redis emptied): beat gets
    BEAT_STALE_SECONDS to run before that counts as a fault, so a fresh start is not unhealthy."""
    cache.add(BEAT_FIRST_CHECK_KEY, now.isoformat(), timeout=None)
    first = datetime.datetime.fromisoformat(cache.get(BEAT_FIRST_CHECK_KEY) or now.isoformat())
    return (now - first).total_seconds()


def _beat(app, now):
    raw = cache.get(BEAT_KEY)
    last = datetime.datetime.fromisoformat(raw) if raw else None
    age = int((now - last).total_seconds()) if last else None
    if last is None and not app.conf.task_always_eager and _beat_waited(now) <= BEAT_STALE_SECONDS:
        return {"last_run": None, "age_seconds": None, "note": "starting: beat has not run yet"}
    # Without a broker there is no beat (rollover happens on demand), so its absence is not a fault.
    if not app.conf.task_always_eager and (age is None or age > BEAT_STALE_SECONDS):
        raise RuntimeError("beat has not run recently" if last else "beat has never run")
    return {"last_run": raw, "age_seconds": age}


def _stripe_endpoint():
    """What the last check of Stripe's webhook endpoint found (reconciliation, check --deploy and
    stripe_webhook_setup run it; /healthz never calls Stripe). A missing event is a warning, not a failure."""
    from fundraising.payments.endpoint import endpoint_check_last

    last = endpoint_check_last()
    if last is None:
        return {"checked_at": None}
    if last["missing_events"]:
        return {**last, "warning": "the webhook endpoint misses events the app needs: run stripe_webhook_setup"}
    return last


def _ledger():
    """The background check of running figures against full sums of the ledger (informative: a repair
    is already done when it shows here, but any count above 0 means some write bypassed the ledger's service)."""
    from fundraising.ledger.verify import verify_report

    return {"verification": verify_report()}


def _journal(now):
    """What waits to follow a write: journal entries not dispatched and notices not sent past their due time
    (beat's sweeps send them; a growing count means beat or the worker is not running). Informative."""
    from fundraising.journal.models import Entry
    from fundraising.supporters.models import Notice

    waiting = Entry.objects.filter(dispatched_at__isnull=True).aggregate(count=Count("pk"), first=Min("created_at"))
    first = waiting["first"]
    overdue = Notice.objects.filter(status__in=["queued", "retrying"], due_at__lte=now - datetime.timedelta(minutes=5))
    report = {
        "undispatched": waiting["count"],
        "oldest_undispatched_seconds": int((now - first).total_seconds()) if first else None,
        "notices_overdue": overdue.count(),
        "notices_failed": Notice.objects.filter(status="failed").count(),  # owners see and resend these
    }
    if (report["oldest_undispatched_seconds"] or 0) > EVENT_STALE_SECONDS or report["notices_overdue"]:
        report["warning"] = "side effects of committed writes are waiting: is beat running?"
    return report


def health_report():
    """Every check, and whether all passed."""
    from fundraising.celery import app

    now = timezone.now()
    report = {
        "database": _check(_database),
        "cache": _check(_cache),
        "broker": _check(lambda: _broker(app)),
        "events": _check(lambda: _events(now)),
        "beat": _check(lambda: _beat(app, now)),
        "stripe_endpoint": _check(_stripe_endpoint),
        "ledger": _check(_ledger),
        "journal": _check(lambda: _journal(now)),
    }
    healthy = all(part["ok"] for part in report.values())
    return {"status": "ok" if healthy else "fail", "version": __version__, **report}, healthy


def health_status():
    """Whether everything is healthy, as the public sees it: recomputed at most once per PUBLIC_REPORT_SECONDS."""
    with _public_lock:
        now = time.monotonic()
        if now - _public["at"] >= PUBLIC_REPORT_SECONDS:
            _public["healthy"] = health_report()[1]
            _public["at"] = time.monotonic()
        return _public["healthy"]
