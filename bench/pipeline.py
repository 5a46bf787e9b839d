"""Pipeline benchmark (prints figures; not a test): signed Stripe events at a steady rate into a
gunicorn-served webhook, a real Celery worker on Redis and PostgreSQL, until the widget snapshot.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fr_a REDIS_URL=redis://127.0.0.1:6379/1 \\
        .venv/bin/python bench/pipeline.py --events 900 --rate 300 --concurrency 2

Reports the rate the webhook sustained, the rate the pipeline turned events into a snapshot, and
the webhook-to-snapshot latency p50/p99: for each event, from its 200 to the first snapshot file
whose total includes everything posted up to and including it. Checks totals are exact at the end.
"""

import argparse
import bisect
import hashlib
import hmac
import http.client
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import servers  # noqa: E402

SECRET = "whsec_bench_secret"


def service_env(widget_root):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fundraising.settings",
        "FUNDRAISING_IGNORE_DOTENV": "1",
        "SECRET_KEY": "bench-secret-key-not-for-production-" + "0123456789abcdefghijklmnop",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "WIDGET_ROOT": str(widget_root),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


def event_body(slug, amount, n):
    session = {
        "id": f"cs_test_bench_{n}_{uuid.uuid4().hex[:12]}",
        "object": "checkout.session",
        "amount_total": amount,
        "currency": "usd",
        "currency_conversion": None,
        "customer_details": {"email": f"bench{n}@example.com"},
        "metadata": {"fundraising_campaign": slug},
        "mode": "payment",
        "payment_intent": f"pi_bench_{n}_{uuid.uuid4().hex[:12]}",
        "payment_status": "paid",
        "status": "complete",
    }
    event = {
        "id": f"evt_bench_{n}_{uuid.uuid4().hex[:12]}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "data": {"object": session},
        "livemode": False,
        "type": "checkout.session.completed",
    }
    return json.dumps(event).encode()


def signature(body):
    """The Stripe-Signature header of `body` (bytes) for SECRET."""
    timestamp = int(time.time())
    mac = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=300, help="events per second to post")
    parser.add_argument("--senders", type=int, default=16, help="concurrent HTTP connections")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL")

    widget_root = Path(tempfile.mkdtemp(prefix="bench-widgets-"))
    env = service_env(widget_root)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from fundraising.campaigns.models import Campaign, Organization, Period
    from fundraising.campaigns.services import period_for
    from fundraising.celery import app
    from fundraising.ledger.services import ledger_totals

    app.control.purge()
    org = Organization.objects.create(name="Bench")
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    campaign = Campaign.objects.create(organization=org, slug=slug, title="Bench", monthly_target=10**12)
    snapshot = widget_root / "current" / f"{slug}.json"

    port = servers.free_port()
    log = Path(tempfile.mkstemp(prefix="bench-worker-", suffix=".log")[1])
    print(f"worker log           {log}")
    procs = []
    try:
        procs.append(servers.gunicorn(port=port, env=env, workers=args.web_workers, threads=args.web_threads))
        procs.append(servers.celery_worker(env=env, concurrency=args.concurrency, name=f"{slug}@bench", log=log))
        servers.wait_http(f"http://127.0.0.1:{port}/healthz", any_status=True)
        servers.worker_wait(app, f"{slug}@bench", log)

        amounts = [100 + (n % 900) for n in range(args.events)]
        bodies = [event_body(slug, amount, n) for n, amount in enumerate(amounts)]
        answered = [None] * args.events
        statuses = [None] * args.events
        next_index = iter(range(args.events))
        lock = threading.Lock()
        seen = []  # (time, raised) of each new snapshot file
        stop = threading.Event()

        def watch():
            last = None
            while not stop.is_set():
                try:
                    raised = json.loads(snapshot.read_bytes())["raised"]
                except (OSError, ValueError):
                    raised = None
                if raised is not None and raised != last:
                    seen.append((time.monotonic(), raised))
                    last = raised
                time.sleep(0.002)

        def send(start):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            while True:
                with lock:
                    n = next(next_index, None)
                if n is None:
                    return
                delay = start + n / args.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                body = bodies[n]
                headers = {"Content-Type": "application/json", "Stripe-Signature": signature(body)}
                conn.request("POST", "/stripe/webhook/", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                statuses[n], answered[n] = response.status, time.monotonic()

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        start = time.monotonic() + 0.2
        senders = [threading.Thread(target=send, args=(start,)) for _ in range(args.senders)]
        for s in senders:
            s.start()
        for s in senders:
            s.join()
        posted_in = max(answered) - start
        expected = sum(amounts)
        deadline = time.monotonic() + 300
        while (not seen or seen[-1][1] < expected) and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        watcher.join()

        bad = sum(1 for s in statuses if s != 200)
        done_at = next((t for t, raised in seen if raised >= expected), None)
        # Totals only grow here, so the first file at or above an event's running sum is the first
        # snapshot that includes everything posted up to and including that event.
        totals = [raised for _, raised in seen]
        prefix, latencies = 0, []
        for n in sorted(range(args.events), key=lambda n: answered[n]):
            prefix += amounts[n]
            k = bisect.bisect_left(totals, prefix)
            if k < len(seen):
                latencies.append(max(0.0, seen[k][0] - answered[n]))
        period = Period.objects.get(pk=period_for(campaign=campaign).pk)
        ledger = ledger_totals(period_id=period.pk)
        final = json.loads(snapshot.read_bytes())["raised"] if snapshot.exists() else None

        print(f"events posted        {args.events} at {args.rate:.0f}/s target, {args.senders} connections")
        print(f"webhook              {args.events / posted_in:.0f} events/s sustained, {bad} non-200")
        if done_at:
            print(f"pipeline             {args.events / (done_at - start):.0f} events/s to the snapshot "
                  f"(all in {done_at - start:.1f} s)")  # fmt: skip
        if latencies:
            print(f"webhook->snapshot    p50 {percentile(latencies, 50) * 1000:.0f} ms, "
                  f"p99 {percentile(latencies, 99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
                  f"({len(seen)} snapshot writes)")  # fmt: skip
        exact = period.raised == ledger[0] == expected == final
        print(f"totals               expected {expected}, ledger {ledger[0]}, period {period.raised}, "
              f"snapshot {final}: {'exact' if exact else 'MISMATCH'}")  # fmt: skip
        return 0 if exact and bad == 0 else 1
    finally:
        servers.stop(procs)


if __name__ == "__main__":
    sys.exit(main())
