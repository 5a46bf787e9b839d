"""Scale benchmark (prints figures; not a test): 10,000,000 donations across 10,000 campaigns, one of them
holding 1,000,000 in its current month, on PostgreSQL with a real gunicorn and Celery worker on Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/scale.py [--scale 0.1]

Creates its own database (fr_scale_<random>, on DATABASE_URL's server) and drops it at the end. Reports,
next to the aims and the previous design's figures: one refresh of the big campaign and of a small one,
the stale-period sweep, a month-end rollover of every campaign (time zones spread), webhook->widget
latency at 300 events/s spread over 1,000 campaigns and all to the big one, memory, and database size.
`--scale 0.1` builds a tenth of everything (1,000 campaigns, 1,000,000 donations, 100,000 in the big one).
"""

import argparse
import datetime
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import pipeline, servers  # noqa: E402 - pipeline: the events and the app's environment

ZONES = ["UTC", "Europe/London", "Europe/Paris", "Europe/Moscow", "Asia/Dubai", "Asia/Kolkata", "Asia/Bangkok",
         "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland", "Pacific/Honolulu",
         "America/Anchorage", "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
         "America/Sao_Paulo", "Atlantic/Azores", "Africa/Lagos"]  # fmt: skip
PARTS = ["refresh", "sweep", "latency", "rollover"]
MONTHS = 12  # periods per campaign: eleven closed months and the current one
CHUNK = 1_000_000


def line(label, value, aim=""):
    print(f"{label:<44} {value:<34} {aim}")


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def database_create(base_url, prefix="fr_scale"):
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    parsed = urlparse(base_url)
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, urlunparse(parsed._replace(path=f"/{name}")), admin


def database_drop(admin, name):
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def month_starts(zone, now, count):
    """First and last days of the `count` months up to `now`'s, in `zone`, oldest first."""
    from zoneinfo import ZoneInfo

    from fundraising.campaigns.services import month_bounds

    first, last = month_bounds(tz=ZoneInfo(zone), when=now)
    months = [(first, last)]
    for _ in range(count - 1):
        last = first - datetime.timedelta(days=1)
        months.insert(0, (last.replace(day=1), last))
        first = last.replace(day=1)
    return months


def copy_rows(cursor, table, columns, rows):
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while data := buffer.read(1 << 20):
            copy.write(data)


def build(*, campaigns, donations, big):
    """Campaigns and periods with COPY, donations with generate_series; returns (campaign ids, period ids)."""
    from django.db import connection
    from django.utils import timezone

    from fundraising.campaigns.models import Organization

    org = Organization.objects.create(name="Scale")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM campaigns_campaign")
        first_campaign = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM campaigns_period")
        first_period = cursor.fetchone()[0]
        columns = ["id", "organization_id", "slug", "title", "description", "currency", "locale", "amount_pattern",
                   "time_zone", "monthly_target", "active", "preset_amounts", "milestones_refire", "created_at",
                   "goal_kind"]  # fmt: skip
        copy_rows(cursor, "campaigns_campaign", columns, (
            (first_campaign + i, org.pk, f"scale-{i}", f"Campaign {i}", "", "usd", "en_US", "", ZONES[i % len(ZONES)],
             10**9 if i == 0 else 500000, "t", "[]", "f", now.isoformat(), "amount")
            for i in range(campaigns)
        ))  # fmt: skip
        months = {zone: month_starts(zone, now, MONTHS) for zone in ZONES}
        milestones = json.dumps([{"amount": 10**8, "label": "Far"}])
        breakdown = ["one_time_raised", "monthly_raised", "offline_raised", "recurring", "refunded", "disputed",
                     "monthly_supporters", "new_monthly", "cancelled_monthly"]  # fmt: skip
        columns = ["id", "campaign_id", "start", '"end"', "target", "milestones", "raised", "donors", "closed_at",
                   "goal_kind", *breakdown]  # fmt: skip
        copy_rows(cursor, "campaigns_period", columns, (
            (first_period + i * MONTHS + j, first_campaign + i, start, end, 10**9 if i == 0 else 500000,
             milestones, 0, 0, None if j == MONTHS - 1 else now.isoformat(), "amount", *[0] * len(breakdown))
            for i in range(campaigns) for j, (start, end) in enumerate(months[ZONES[i % len(ZONES)]])
        ))  # fmt: skip
        for table in ("campaigns_campaign", "campaigns_period"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cursor.execute("SET synchronous_commit = off")
        for low in range(0, donations, CHUNK):
            high = min(donations, low + CHUNK)
            t, _ = timed(cursor.execute, DONATIONS_SQL, {
                "low": low, "high": high - 1, "big": big, "n_campaigns": campaigns, "months": MONTHS,
                "first_campaign": first_campaign, "first_period": first_period, "emails": 2_000_003,
            })  # fmt: skip
            print(f"  donations {high:>10,} inserted ({t:.1f} s for this chunk)", flush=True)
    big_period = first_period + MONTHS - 1
    small_period = first_period + MONTHS + MONTHS - 1
    return first_campaign, big_period, small_period


# The big campaign's current month takes the first `big` rows; the rest spread over every campaign's months.
# One gift in 97 is refunded in full; e-mails repeat every 2,000,003 gifts. Ids and payment intents are
# increasing (the indexes the same size as random ones, but filled at their right edge: a faster load).
DONATIONS_SQL = """
INSERT INTO campaigns_donation (id, campaign_id, period_id, amount, currency, kind, status, amount_refunded,
    amount_disputed, dispute_status, public_name, anonymous, message, donor_email, stripe_payment_intent_id,
    stripe_charge_id, stripe_subscription_id, paid_at, created_at, updated_at, source, method, note)
SELECT lpad(to_hex(n), 32, '0')::uuid, c, p, a, 'usd', 'one_time',
    CASE WHEN n %% 97 = 0 THEN 'refunded' ELSE 'succeeded' END,
    CASE WHEN n %% 97 = 0 THEN a ELSE 0 END, 0, '', '', false, '', 'd' || (n %% %(emails)s) || '@example.com',
    'pi_scale_' || lpad(n::text, 12, '0'), '', '', now(), now(), now(), 'stripe', '', ''
FROM (
    SELECT n, 100 + (n * 7919) %% 9900 AS a,
        CASE WHEN n < %(big)s THEN %(first_campaign)s ELSE %(first_campaign)s + n %% %(n_campaigns)s END AS c,
        CASE WHEN n < %(big)s THEN %(first_period)s + %(months)s - 1
             ELSE %(first_period)s + (n %% %(n_campaigns)s) * %(months)s + (n / %(n_campaigns)s) %% %(months)s END AS p
    FROM generate_series(%(low)s::bigint, %(high)s::bigint) AS n
) s
"""


def built(donations):
    """(first campaign id, big period, small period) of a database built before, and its size checked."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM campaigns_donation")
        if cursor.fetchone()[0] < donations:
            raise SystemExit("that database holds fewer donations than this --scale builds")
        cursor.execute("SELECT min(id) FROM campaigns_campaign WHERE slug LIKE 'scale-%%'")
        first_campaign = cursor.fetchone()[0]
        cursor.execute("SELECT min(id) FROM campaigns_period WHERE campaign_id = %s", [first_campaign])
        first_period = cursor.fetchone()[0]
    return first_campaign, first_period + MONTHS - 1, first_period + 2 * MONTHS - 1


def tallies_load():
    """Running figures for the bulk-loaded ledger (as the migration does for an existing ledger)."""
    from django.db import connection

    from fundraising.ledger import verify

    took, _ = timed(verify.tallies_rebuild)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE campaigns_period p SET raised = t.raised, donors = t.donors, recomputed_at = now() "
            "FROM ledger_periodtally t WHERE t.period_id = p.id AND t.folded"
        )
        cursor.execute("VACUUM ANALYZE")
    return took


def gift_add(period_id):
    """One more gift in the period, through the ledger's write (no refresh queued: the bench times those)."""
    from django.db import transaction
    from django.utils import timezone

    from fundraising.campaigns.models import Period
    from fundraising.ledger.models import Donation
    from fundraising.ledger.services import donation_store

    period = Period.objects.select_related("campaign").get(pk=period_id)
    with transaction.atomic():
        donation_store(donation=Donation(
            campaign=period.campaign, period=period, amount=1000, currency="usd", status="succeeded",
            donor_email=f"{uuid.uuid4().hex}@example.com", paid_at=timezone.now(),
        ))  # fmt: skip


def refresh_figures(period_id, runs=15):
    """(median recompute, median whole refresh incl. widget, median full sum of the previous design), seconds."""
    from fundraising.ledger.services import ledger_totals, period_recompute
    from fundraising.pipeline import refresh

    refresh.period_refresh(period_id=period_id)  # warm: the first one records milestone crossings
    recomputes, refreshes, sums = [], [], []
    for _ in range(runs):
        for _ in range(10):  # ten changes since the last refresh, as under a steady stream
            gift_add(period_id)
        recomputes.append(timed(period_recompute, period_id=period_id)[0])
        gift_add(period_id)
        refreshes.append(timed(refresh.period_refresh, period_id=period_id)[0])
    for _ in range(3):
        sums.append(timed(ledger_totals, period_id=period_id)[0])
    return statistics.median(recomputes), statistics.median(refreshes), statistics.median(sums)


def sweep_figures(*, campaigns, big_period, first_campaign):
    """The sweep now (100 periods changed since their refresh) and the previous design's (sum every open month)."""
    from fundraising.campaigns.models import Period
    from fundraising.ledger.services import ledger_totals, periods_stale

    open_ids = list(Period.objects.filter(closed_at__isnull=True).values_list("pk", flat=True))
    for period_id in open_ids[1:101]:
        gift_add(period_id)
    took, stale = timed(periods_stale)
    sample = [p for p in open_ids if p != big_period][:200]
    small, _ = timed(lambda: [ledger_totals(period_id=p) for p in sample])
    big, _ = timed(ledger_totals, period_id=big_period)
    previous = big + small / len(sample) * (len(open_ids) - 1)
    return took, len(stale), previous


def processes_pss(pids):
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next(int(row.split()[1]) for row in text.splitlines() if row.startswith("Pss:"))
    return total * 1024


def processes_cpu(pids):
    """CPU seconds (user + system) the processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_split(services):
    """CPU seconds used so far by (gunicorn, worker, PostgreSQL's backends of this database, this bench client).
    A backend that exits between two readings loses its share: the services keep their connections."""
    own = os.times()
    return (
        processes_cpu(group_pids(services.web.pid)),
        processes_cpu(group_pids(services.worker.pid)),
        processes_cpu(database_backends()),
        own.user + own.system,
    )


def group_pids(pgid):
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def database_backends():
    """PostgreSQL's server processes serving this database (not other databases' on a shared server)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [pid for (pid,) in cursor.fetchall()]


def postgres_pids():
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(f"/proc/{entry.name}/comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


class Services:
    """gunicorn and a Celery worker, as bench/pipeline.py runs them."""

    def __init__(self, env, *, web_workers=2, web_threads=4, concurrency=2):
        self.port = servers.free_port()
        self.name = f"scale-{uuid.uuid4().hex[:6]}@bench"
        self.log = Path(tempfile.mkstemp(prefix="bench-scale-worker-", suffix=".log")[1])
        self.web = servers.gunicorn(port=self.port, env=env, workers=web_workers, threads=web_threads)
        self.worker = servers.celery_worker(env=env, concurrency=concurrency, name=self.name, log=self.log)

    def wait(self, app):
        servers.wait_http(f"http://127.0.0.1:{self.port}/healthz", any_status=True)
        servers.worker_wait(app, self.name, self.log)

    def stop(self):
        servers.stop([self.web, self.worker], timeout=30)


def widgets_dir():
    """Where this release writes the widget files (WIDGET_ROOT/v<VERSION>/)."""
    from fundraising.widgets.services import files_dir

    return files_dir()


def latency_run(services, widget_root, slugs, *, rate, seconds, senders=16):
    """Post checkout.session.completed events at `rate` for `seconds`, round-robin over `slugs`; returns
    (webhook events/s, p50, p99, non-200s, exact) where latency runs from an event's 200 to the first snapshot
    of its campaign that includes everything posted to that campaign up to it."""
    import http.client

    from fundraising.campaigns.models import Campaign, Period
    from fundraising.campaigns.services import period_for
    from fundraising.ledger.services import ledger_totals

    count = int(rate * seconds)
    slugs = slugs[:count]  # a campaign that gets no event gets no new snapshot to wait for
    baseline = {}
    for campaign in Campaign.objects.filter(slug__in=slugs):
        # From the ledger: the sweep's figures leave gifts that no refresh has folded yet (the first one will).
        baseline[campaign.slug] = (campaign, ledger_totals(period_id=period_for(campaign=campaign).pk)[0])
    targets = [slugs[n % len(slugs)] for n in range(count)]
    amounts = [100 + (n % 900) for n in range(count)]
    bodies = [pipeline.event_body(slug, amount, f"{uuid.uuid4().hex[:6]}{n}") for n, (slug, amount)
              in enumerate(zip(targets, amounts, strict=True))]  # fmt: skip
    answered, statuses = [None] * count, [None] * count
    seen = {slug: [] for slug in slugs}  # slug -> [(time, raised)] of each new snapshot file
    watched = {f"{slug}.json": slug for slug in slugs}
    stop = threading.Event()
    lock = threading.Lock()
    next_index = iter(range(count))

    directory = widgets_dir()

    def watch():
        mtimes = {}
        while not stop.is_set():
            if not directory.exists():
                time.sleep(0.05)
                continue
            with os.scandir(directory) as entries:
                for entry in entries:
                    slug = watched.get(entry.name)
                    if slug is None:
                        continue
                    mtime = entry.stat().st_mtime_ns
                    if mtimes.get(slug) == mtime:
                        continue
                    mtimes[slug] = mtime
                    try:
                        raised = json.loads(Path(entry.path).read_bytes())["raised"]
                    except (OSError, ValueError):
                        continue
                    if not seen[slug] or seen[slug][-1][1] != raised:
                        seen[slug].append((time.monotonic(), raised))
            time.sleep(0.005)

    def send(start):
        conn = http.client.HTTPConnection("127.0.0.1", services.port, timeout=30)
        while True:
            with lock:
                n = next(next_index, None)
            if n is None:
                return
            delay = start + n / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            headers = {"Content-Type": "application/json", "Stripe-Signature": pipeline.signature(bodies[n])}
            conn.request("POST", "/stripe/webhook/", body=bodies[n], headers=headers)
            response = conn.getresponse()
            response.read()
            statuses[n], answered[n] = response.status, time.monotonic()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.monotonic() + 0.2
    threads = [threading.Thread(target=send, args=(start,)) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    posted_in = max(answered) - start
    expected = {slug: baseline[slug][1] for slug in slugs}
    for slug, amount in zip(targets, amounts, strict=True):
        expected[slug] += amount
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and any(not seen[s] or seen[s][-1][1] < expected[s] for s in slugs):
        time.sleep(0.1)
    time.sleep(2)  # a snapshot file is written just before its refresh commits
    stop.set()
    watcher.join()

    latencies = []
    prefix = {slug: baseline[slug][1] for slug in slugs}
    for n in sorted(range(count), key=lambda n: answered[n]):
        slug = targets[n]
        prefix[slug] += amounts[n]
        hit = next((t for t, raised in seen[slug] if raised >= prefix[slug]), None)
        latencies.append(max(0.0, hit - answered[n]) if hit is not None else float("inf"))
    exact = True
    for slug in slugs:
        period = Period.objects.get(pk=period_for(campaign=baseline[slug][0]).pk)
        final = seen[slug][-1][1] if seen[slug] else None
        exact &= (period.raised, period.donors) == ledger_totals(period_id=period.pk)
        exact &= period.raised == final == expected[slug]
    bad = sum(1 for status in statuses if status != 200)
    p50, p99 = pipeline.percentile(latencies, 50), pipeline.percentile(latencies, 99)
    return count / posted_in, p50, p99, bad, exact


def refresh_report(big_period, small_period):
    big_figures = refresh_figures(big_period)
    small_figures = refresh_figures(small_period)
    line("refresh, big campaign: recompute", f"{big_figures[0] * 1000:.1f} ms",
         f"<= 20 ms; previous full sum {big_figures[2] * 1000:.0f} ms")  # fmt: skip
    line("refresh, big campaign: recompute + widget", f"{big_figures[1] * 1000:.1f} ms")
    line(
        "refresh, small campaign: recompute",
        f"{small_figures[0] * 1000:.1f} ms",
        f"big within 2x: {big_figures[0] / small_figures[0]:.2f}x; previous {small_figures[2] * 1000:.1f} ms",
    )
    line("refresh, small campaign: recompute + widget", f"{small_figures[1] * 1000:.1f} ms",
         f"big/small {big_figures[1] / small_figures[1]:.2f}x")  # fmt: skip


def profilers_start(services, directory, label):
    """py-spy (requirements-dev) sampling gunicorn's and the worker's processes until profilers_stop, each into
    <directory>/<label>-<web|worker>.txt (collapsed stacks, one line per stack and its sample count)."""
    import subprocess

    directory.mkdir(parents=True, exist_ok=True)
    name = label.replace(" ", "-").replace(",", "")
    return [
        subprocess.Popen(  # noqa: S603 - our own py-spy on our own children
            [
                str(servers.BIN / "py-spy"),
                "record",
                "--pid",
                str(process.pid),
                "--subprocesses",
                "--nonblocking",
                "--format",
                "raw",
                "--rate",
                "200",
                "--output",
                str(directory / f"{name}-{part}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for part, process in (("web", services.web), ("worker", services.worker))
    ]


def profilers_stop(profilers):
    import signal

    for profiler in profilers:
        profiler.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
    for profiler in profilers:
        profiler.wait(30)


def latency_report(services, widget_root, targets, label, *, rate, seconds, profile=None):
    """One latency run and the CPU each component spent per event during it; with `profile` (a directory),
    py-spy samples gunicorn and the worker meanwhile."""
    from fundraising.celery import app

    profilers = profilers_start(services, profile, label) if profile else []
    cpu_before, load_before, start = cpu_split(services), os.getloadavg()[0], time.monotonic()
    sustained, p50, p99, bad, exact = latency_run(services, widget_root, targets, rate=rate, seconds=seconds)
    # Every task the events caused done (receipts, refreshes; not the breakdowns due a minute later), so the
    # CPU below is what these events cost and the next run starts on an idle worker.
    while time.monotonic() - start < 600 and not queue_idle(app, services.name):
        time.sleep(0.5)
    took = time.monotonic() - start
    profilers_stop(profilers)
    used = [(after - before) * 1000 / int(rate * seconds)
            for before, after in zip(cpu_before, cpu_split(services), strict=True)]  # fmt: skip
    line(
        f"webhook->widget at {rate:.0f}/s, {label}",
        f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms",
        f"p99 < 1 s; webhook {sustained:.0f}/s, {bad} non-200, totals {'exact' if exact else 'MISMATCH'}",
    )
    line("  CPU ms per event: web / worker / PostgreSQL / client", " / ".join(f"{ms:.1f}" for ms in used),
         f"{sum(used):.1f} ms in all: {sum(used) * rate / 1000:.1f} cores at this rate; load average "
         f"{load_before:.1f}-{os.getloadavg()[0]:.1f}")  # fmt: skip
    line("  pipeline done (every task) after", f"{took:.0f} s", f"{int(rate * seconds) / took:.0f} events/s end to end")


def queue_idle(app, worker):
    """True when the broker holds no task and the worker runs none (the month-end's follow-ups are done)."""
    with app.connection_for_read() as conn:
        channel = conn.default_channel
        queues = [queue.name for queue in app.conf.task_queues]
        if any(channel.client.llen(channel._q_for_pri(q, pri)) for q in queues for pri in channel.priority_steps):
            return False
    active = app.control.inspect(destination=[worker], timeout=1).active() or {}
    return not any(active.values())


def rollover_figures(widget_root, app, services):
    """A month-end with every zone past midnight: the set-based close/open, then every widget re-rendered by
    the running worker (tasks of 100 campaigns), until every campaign's snapshot file is rewritten; then
    until the closed months' follow-ups (breakdowns, summaries) are done too."""
    import time_machine
    from django.utils import timezone

    from fundraising.ledger import rollover
    from fundraising.pipeline import tasks

    today = timezone.now().date()
    next_month = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    when = datetime.datetime.combine(next_month, datetime.time(14), tzinfo=datetime.UTC)
    started_wall = time.time()
    start = time.perf_counter()
    with time_machine.travel(when, tick=True):
        sql, campaign_ids = timed(rollover.campaigns_roll)
    for index in range(0, len(campaign_ids), tasks.WIDGETS_PER_TASK):
        tasks.campaigns_widgets_refresh.delay(campaign_ids[index : index + tasks.WIDGETS_PER_TASK])
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        fresh = widgets_dir().exists() and sum(1 for e in os.scandir(widgets_dir()) if e.name.endswith(".json")
                                               and e.stat().st_mtime >= started_wall)  # fmt: skip
        if fresh >= len(campaign_ids):
            break
        time.sleep(0.2)
    widgets, widgets_cpu = time.perf_counter() - start, cpu_split(services)
    while time.monotonic() < deadline and not queue_idle(app, services.name):
        time.sleep(0.5)
    return sql, widgets, widgets_cpu, time.perf_counter() - start, len(campaign_ids), fresh


def sizes():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_database_size(current_database()), pg_total_relation_size('campaigns_donation'), "
            "pg_total_relation_size('ledger_periodtally'), pg_total_relation_size('ledger_perioddonornet')"
        )
        return cursor.fetchone()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size (0.1 for a quick run)")
    parser.add_argument("--rate", type=float, default=300, help="events per second in the latency runs")
    parser.add_argument("--seconds", type=float, default=10, help="length of each latency run")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--database", help="measure a database an earlier --keep run built (skips the build)")
    parser.add_argument("--prefix", default="fr_scale", help="name of the database the bench creates: <prefix>_<id>")
    parser.add_argument(
        "--campaigns",
        type=int,
        help="campaigns to build (default 10,000 x --scale): e.g. "
        "--scale 0.02 --campaigns 10000 measures the rollover of 10,000 in minutes",
    )
    parser.add_argument("--profile", type=Path, help="py-spy the services during the latency runs into this directory")
    parser.add_argument("--spread", type=int, default=1000, help="campaigns the spread latency run posts to")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=PARTS, help="measure only these parts")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit("set DATABASE_URL (PostgreSQL server; the bench makes its own database) and REDIS_URL")
    campaigns = args.campaigns or max(20, int(10_000 * args.scale))
    donations = int(10_000_000 * args.scale)
    big = int(1_000_000 * args.scale)
    spread = min(args.spread, campaigns - 1)

    if args.database:
        name, parsed = args.database, urlparse(base)
        url, admin = urlunparse(parsed._replace(path=f"/{name}")), urlunparse(parsed._replace(path="/postgres"))
        args.keep = True
    else:
        name, url, admin = database_create(base, args.prefix)
    widget_root = Path(tempfile.mkdtemp(prefix="bench-scale-widgets-"))
    env = {**pipeline.service_env(widget_root), "DATABASE_URL": url, "LOG_LEVEL": "ERROR", "PYTHONWARNINGS": "ignore"}
    os.environ.update(env)
    services = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from fundraising.celery import app

        print(f"database {name}: {campaigns:,} campaigns, {donations:,} donations, {big:,} in the big one's month")
        call_command("migrate", verbosity=0)
        if args.database:
            first_campaign, big_period, small_period = built(donations)
        else:
            took, (first_campaign, big_period, small_period) = timed(build, campaigns=campaigns,
                                                                     donations=donations, big=big)  # fmt: skip
            line("build (COPY + generate_series)", f"{took:.0f} s")
            took = tallies_load()
            line("running figures from a full sum (rebuild)", f"{took:.1f} s")
        print()
        print(f"{'':<44} {'now':<34} aim / previous design (load average {os.getloadavg()[0]:.1f})")
        if "refresh" in args.only:
            refresh_report(big_period, small_period)
        if "sweep" in args.only:
            took, stale, previous = sweep_figures(campaigns=campaigns, big_period=big_period,
                                                  first_campaign=first_campaign)  # fmt: skip
            line("stale-period sweep (per minute)", f"{took * 1000:.1f} ms ({stale} periods dirty)",
                 f"< 1 s; previous ~{previous:.1f} s (sums every open month)")  # fmt: skip
        services = Services(env, web_workers=args.web_workers, concurrency=args.concurrency)
        services.wait(app)
        print(f"gunicorn workers {args.web_workers}, Celery worker processes {args.concurrency}")
        if "latency" in args.only:
            slugs = [f"scale-{i}" for i in range(1, spread + 1)]
            for label, targets in (
                (f"spread over {spread} campaigns", slugs),
                ("all to the big campaign", ["scale-0"]),
            ):
                latency_report(
                    services, widget_root, targets, label, rate=args.rate, seconds=args.seconds, profile=args.profile
                )
        if "rollover" in args.only:
            cpu_before = cpu_split(services)
            sql, total, widgets_cpu, everything, rolled, fresh = rollover_figures(widget_root, app, services)
            used = [after - before for before, after in zip(cpu_before, cpu_split(services), strict=True)]
            switch = widgets_cpu[1] - cpu_before[1]
            line(f"rollover of {rolled:,} campaigns ({len(ZONES)} zones)", f"{total:.1f} s ({sql:.1f} s in SQL)",
                 f"< 60 s; {fresh:,} widgets re-rendered; follow-ups done at {everything:.1f} s")  # fmt: skip
            line("  CPU s: worker / PostgreSQL / bench (SQL part)", f"{used[1]:.1f} / {used[2]:.1f} / {used[3]:.1f}",
                 f"worker until the widgets switched {switch:.1f} s: {switch * 1000 / max(rolled, 1):.2f} ms "
                 f"per campaign; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        line("memory: worker / gunicorn / PostgreSQL (PSS)", "{:.0f} / {:.0f} / {:.0f} MiB".format(
            *(processes_pss(pids) / 2**20 for pids in (group_pids(services.worker.pid), group_pids(services.web.pid),
                                                       postgres_pids()))))  # fmt: skip
        database, ledger, tally, nets = sizes()
        per_million = database / (donations / 1e6) if donations else 0
        line("database size", f"{database / 2**30:.2f} GiB, {per_million / 2**20:.0f} MiB per million donations",
             f"ledger {ledger / 2**30:.2f} GiB, figures {(tally + nets) / 2**30:.2f} GiB")  # fmt: skip
        return 0
    finally:
        if services:
            services.stop()
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept database {name}")
        else:
            database_drop(admin, name)


if __name__ == "__main__":
    sys.exit(main())
