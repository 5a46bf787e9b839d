"""Concurrent webhooks against gunicorn -w 2 (prints figures;
tests/payments/test_views_webhook_concurrency.py runs it bounded): 12 senders post 225 signed deliveries
of 150 unique events (75 delivered twice) to a fresh database, then every answer must be 2xx, the
period's total exact, and every widget read (both gunicorn workers) must show the new total within 1 s of
the first read that shows it; the time from the last answer to that first read (the pipeline's latency)
is printed too.

    .venv/bin/python bench/embedded.py                      # the embedded default: SQLite, no Redis
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/embedded.py                  # PostgreSQL + Redis and a Celery worker

With DATABASE_URL it creates and drops its own database next to the one named; REDIS_URL's db is flushed.
Exit status 0 when every aim holds.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import servers  # noqa: E402
from bench.pipeline import event_body, service_env, signature  # noqa: E402

SLUG, AMOUNT_BASE = "demo", 100


def post(url, body):
    """POST a signed event; the status code, or the name of the error when there was no answer."""
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature(body)}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError as exc:
        return f"{type(exc).__name__}"


def widget_raised(base):
    try:
        with urllib.request.urlopen(f"{base}/w/{SLUG}.json", timeout=5) as response:  # noqa: S310
            return json.load(response)["raised"]
    except (OSError, ValueError):
        return None


def database_env(tmp, url):
    """A fresh database: an SQLite file, or a new PostgreSQL database next to `url`'s."""
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp}/bench.sqlite3", None
    name = f"fr_ops_bench_{os.getpid()}"
    admin = urlparse(url)._replace(path="/postgres").geturl()
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    return urlparse(url)._replace(path=f"/{name}").geturl(), (admin, name)


def run(*, senders=12, unique=150, duplicates=75, settle_seconds=10, database_url="", redis=""):
    """Empty database_url and redis: the embedded default."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-embedded-"))
    db_url, created = database_env(tmp, database_url)
    env = {**service_env(tmp / "widgets"), "DATABASE_URL": db_url, "REDIS_URL": redis}
    if not redis:
        env.pop("REDIS_URL")
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    env["SITE_URL"] = base
    procs = []
    try:
        for command in (["migrate", "--noinput"], ["seed_demo", "--force"]):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=servers.ROOT, env=env, check=True, capture_output=True
            )
        if redis:
            subprocess.run(
                [sys.executable, "-c", f"import redis; redis.Redis.from_url({redis!r}).flushdb()"], check=True
            )
            procs.append(servers.celery_worker(env=env, concurrency=2))
        procs.append(servers.gunicorn(port=port, env=env, workers=2, threads=8))
        servers.wait_http(f"{base}/healthz", any_status=True)
        before = widget_raised(base)

        bodies = [event_body(SLUG, AMOUNT_BASE + n, n) for n in range(unique)]
        deliveries = bodies + bodies[:duplicates]
        random.Random(16).shuffle(deliveries)
        expected = before + sum(AMOUNT_BASE + n for n in range(unique))
        started = time.monotonic()
        with ThreadPoolExecutor(senders) as pool:
            statuses = list(pool.map(lambda body: post(f"{base}/stripe/webhook/", body), deliveries))
        sent = time.monotonic()

        # Every worker: 8 concurrent reads per round (both workers accept), until 5 rounds in a row agree.
        streak, first_at, settled_at, seen = 0, None, None, set()
        with ThreadPoolExecutor(8) as pool:
            while time.monotonic() < sent + settle_seconds and streak < 5:
                seen = set(pool.map(lambda _: widget_raised(base), range(8)))
                if expected in seen:
                    first_at = first_at or time.monotonic()
                if seen == {expected}:
                    settled_at = settled_at or time.monotonic()
                    streak += 1
                else:
                    settled_at, streak = None, 0
                time.sleep(0.02)
        ok_statuses = sum(1 for s in statuses if isinstance(s, int) and 200 <= s < 300)
        report = {
            "database": "postgresql" if created else "sqlite",
            "cache": "redis" if redis else "database",
            "deliveries": len(deliveries),
            "unique": unique,
            "senders": senders,
            "answers_2xx": ok_statuses,
            "other_answers": sorted({str(s) for s in statuses if not (isinstance(s, int) and 200 <= s < 300)}),
            "webhook_seconds": round(sent - started, 2),
            "deliveries_per_second": round(len(deliveries) / (sent - started), 1),
            "expected_raised": expected,
            "widgets_seen": sorted(seen, key=str),
            # From the last answer to the first read showing the total (the pipeline's latency: 0 when
            # events are applied in the request), then until every worker serves it.
            "first_read_seconds": round(first_at - sent, 3) if first_at else None,
            "every_worker_seconds": round(settled_at - first_at, 3) if settled_at else None,
        }
        report["ok"] = (
            ok_statuses == len(deliveries) and streak >= 5 and report["every_worker_seconds"] is not None
            and report["every_worker_seconds"] <= 1.0
        )  # fmt: skip
        return report
    finally:
        servers.stop(procs, timeout=15)
        if created:
            admin, name = created
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--senders", type=int, default=12)
    parser.add_argument("--unique", type=int, default=150)
    parser.add_argument("--duplicates", type=int, default=75)
    parser.add_argument("--settle-seconds", type=float, default=10)
    args = parser.parse_args()
    report = run(
        senders=args.senders,
        unique=args.unique,
        duplicates=args.duplicates,
        settle_seconds=args.settle_seconds,
        database_url=os.environ.get("DATABASE_URL", ""),
        redis=os.environ.get("REDIS_URL", ""),
    )
    print(json.dumps(report, indent=2))
    sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
