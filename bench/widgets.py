"""Benchmark of the widget endpoints (prints figures; not a test).

One bounded run, everything on 127.0.0.1 free ports, a PostgreSQL database of its own that it
creates and drops:
  (a) nginx serving a static file the size of /w/demo.json (and one the size of /w/demo.svg)
  (b) gunicorn (gthread) serving /w/demo.json and /w/demo.svg
  (c) the same through deploy/nginx.conf (snapshot files, proxy cache for the rest)
  (d) (b) again with 1,000,000 donations in the ledger
  (e) a web machine without the worker (WIDGET_FILES=0, docs/operations.md): the same nginx file over an empty
      WIDGET_ROOT, so every widget comes from nginx's proxy cache (the app behind it, every 5 s per URL)
Aims: (b) >= 8% of (a), (c) >= 80% of (a), (d) within 10% of (b).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/2 \
        .venv/bin/python bench/widgets.py [--seconds 5] [--connections 32] [--donations 1000000]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import servers  # noqa: E402

ROOT = servers.ROOT
NGINX_HTTP = """sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{static_port};
        root {tmp}/static-site;
        location / {{
            add_header Cache-Control "public, max-age=30, stale-while-revalidate=60";
            add_header Access-Control-Allow-Origin "*";
        }}
    }}
    {deploy}"""


def wrk(url, seconds, connections):
    """requests/s, p50 ms, p99 ms from wrk's latency distribution."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, timeout=seconds + 30, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{out}")

    def percentile(p):
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return rps, percentile(50), percentile(99)


def deploy_conf(*, port, app_port, widget_root, static_root, cache_dir):
    """deploy/nginx-behind-lb.conf (deploy/nginx.conf's locations over plain HTTP) with this run's paths and
    ports; everything else exactly as shipped."""
    text = (ROOT / "deploy" / "nginx-behind-lb.conf").read_text()
    for old, new in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("/srv/fundraising/var/widgets", str(widget_root)),
        ("/srv/fundraising/staticfiles/", f"{static_root}/"),
        ("/var/cache/nginx/fundraising", str(cache_dir)),
    ):
        assert old in text, old
        text = text.replace(old, new)
    return text


def database_urls(base):
    parsed = urlparse(base)
    name = f"fr_bench_{os.getpid()}"
    return parsed._replace(path="/postgres").geturl(), parsed._replace(path=f"/{name}").geturl(), name


def psql(admin_url, sql):
    subprocess.run(["psql", admin_url, "-qAtc", sql], check=True, capture_output=True, timeout=120)


def bench_env(*, db_url, widget_root, **extra):
    """The environment every bench's app runs with (exported into this process too, for its own set-up)."""
    env = {
        **os.environ,
        "FUNDRAISING_IGNORE_DOTENV": "1",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": db_url,
        "WIDGET_ROOT": str(widget_root),
        "DJANGO_SETTINGS_MODULE": "fundraising.settings",
        **extra,
    }
    os.environ.update(env)
    return env


def bench_seed():
    """Django set up in this process, tasks in-process, the database migrated and the demo campaign seeded."""
    import django

    django.setup()
    from django.core.management import call_command

    from fundraising.celery import app as celery_app

    celery_app.conf.task_always_eager = True  # the bench's own set-up runs its tasks in-process
    call_command("migrate", verbosity=0)
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


def bench_stop(*, processes, admin_url, db_name, tmp=None):
    """Stop the bench's servers (servers.stop), drop its database and files."""
    servers.stop(list(reversed(processes)), timeout=15)
    if "django" in sys.modules:
        from django.db import connections

        connections.close_all()
    psql(admin_url, f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)


def donations_insert(count):
    """count paid donations in the demo's current period, in one INSERT ... SELECT generate_series."""
    from django.db import connection

    from fundraising.campaigns.models import Campaign
    from fundraising.campaigns.services import period_for
    from fundraising.ledger.models import Donation

    campaign = Campaign.objects.get(slug="demo")
    period = period_for(campaign=campaign)
    values = {
        "id": "gen_random_uuid()",
        "campaign_id": str(campaign.pk),
        "period_id": str(period.pk),
        "amount": "100 + (i %% 5000)",
        "currency": "'usd'",
        "status": "'succeeded'",
        "donor_email": "'bench' || i || '@example.com'",
        "paid_at": "now()",
        "created_at": "now()",
        "updated_at": "now()",
    }
    columns, exprs = [], []
    for field in Donation._meta.concrete_fields:
        column = field.column
        if column in values:
            expr = values[column]
        elif field.has_default() and not callable(field.default):
            expr = connection.ops.adapt_unknown_value(field.get_default())
            expr = "'" + str(expr).replace("'", "''") + "'" if isinstance(expr, str) else str(expr).lower()
        elif field.null:
            expr = "NULL"
        else:
            expr = "''"
        columns.append(f'"{column}"')
        exprs.append(expr)
    sql = (
        f"INSERT INTO campaigns_donation ({', '.join(columns)}) "
        f"SELECT {', '.join(exprs)} FROM generate_series(1, %s) AS i"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [count])
        cursor.execute("ANALYZE campaigns_donation")
    return period.pk


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--donations", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument("--rounds", type=int, default=3, help="runs per measurement; the median is shown")
    args = parser.parse_args()
    for tool in ("wrk", "nginx", "psql"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is not installed")

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base.startswith("postgres"):
        sys.exit("DATABASE_URL must point at PostgreSQL (the bench creates and drops its own database there)")
    admin_url, db_url, db_name = database_urls(base)
    tmp = Path(tempfile.mkdtemp(prefix="fr-bench-"))
    tmp.chmod(0o755)  # nginx workers run as another user
    widget_root, static_root = tmp / "widgets", ROOT / "static"
    (tmp / "static-site").mkdir()
    env = bench_env(db_url=db_url, widget_root=widget_root)
    processes = []
    psql(admin_url, f'CREATE DATABASE "{db_name}"')
    try:
        bench_seed()
        sizes = {fmt: (widget_root / "current" / f"demo.{fmt}").stat().st_size for fmt in ("json", "svg")}
        for fmt, size in sizes.items():
            (tmp / "static-site" / f"same-size.{fmt}").write_bytes(b"x" * size)

        app_port, static_port, deploy_port = servers.free_port(), servers.free_port(), servers.free_port()
        processes.append(servers.gunicorn(
            port=app_port, env=env, workers=args.workers, threads=args.threads, error_log=tmp / "gunicorn.log",
            reuse_port=True, stdout=subprocess.DEVNULL,
        ))  # fmt: skip
        deploy = deploy_conf(
            port=deploy_port, app_port=app_port, widget_root=widget_root, static_root=static_root,
            cache_dir=tmp / "proxy-cache",
        )
        http = NGINX_HTTP.format(tmp=tmp, static_port=static_port, deploy=deploy)
        processes.append(servers.nginx(prefix=tmp, http=http, workers=2, connections=1024))
        # (e) a second nginx, as on a web machine that keeps no widget files: nothing under its WIDGET_ROOT.
        web_port, web_prefix = servers.free_port(), tmp / "web-machine"
        (web_prefix / "widgets").mkdir(parents=True)
        web_deploy = deploy_conf(
            port=web_port, app_port=app_port, widget_root=web_prefix / "widgets", static_root=static_root,
            cache_dir=web_prefix / "proxy-cache",
        )
        processes.append(servers.nginx(prefix=web_prefix, http=f"sendfile on;\n    keepalive_requests 100000;\n"
                                       f"    {web_deploy}", workers=2, connections=1024))  # fmt: skip
        app, static, proxied = (f"http://127.0.0.1:{p}" for p in (app_port, static_port, deploy_port))
        web = f"http://127.0.0.1:{web_port}"
        servers.wait_http(f"{app}/w/demo.json")
        servers.wait_http(f"{static}/same-size.json")
        assert servers.wait_http(f"{proxied}/w/demo.json") == (widget_root / "current" / "demo.json").read_bytes()

        runs = {}

        def measure(label, url):
            """The median of --rounds runs: on two shared CPUs one run can be off by 20%."""
            wrk(url, 3, args.connections)  # warm-up: threads, connections, caches, imports
            rounds = sorted(wrk(url, args.seconds, args.connections) for _ in range(args.rounds))
            runs[label] = rounds[len(rounds) // 2]
            rps, p50, p99 = runs[label]
            print(f"{label:<42} {rps:>10,.0f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms", flush=True)

        print(f"demo.json is {sizes['json']} bytes, demo.svg {sizes['svg']}; "
              f"wrk -t2 -c{args.connections} -d{args.seconds}s, median of {args.rounds}; "
              f"gunicorn gthread {args.workers}x{args.threads}; "
              f"nginx 2 workers; {os.cpu_count()} CPUs\n")
        measure("(a) nginx static file, size of demo.json", f"{static}/same-size.json")
        measure("(a) nginx static file, size of demo.svg", f"{static}/same-size.svg")
        measure("(b) gunicorn /w/demo.json", f"{app}/w/demo.json")
        measure("(b) gunicorn /w/demo.svg", f"{app}/w/demo.svg")
        measure("(c) deploy/nginx.conf /w/demo.json", f"{proxied}/w/demo.json")
        measure("(c) deploy/nginx.conf /w/demo.svg", f"{proxied}/w/demo.svg")
        measure("(c) deploy/nginx.conf /w/demo.svg?theme=dark", f"{proxied}/w/demo.svg?theme=dark")
        assert servers.wait_http(f"{web}/w/demo.json") == (widget_root / "current" / "demo.json").read_bytes()
        measure("(e) web machine, proxy cache /w/demo.json", f"{web}/w/demo.json")
        measure("(e) web machine, proxy cache /w/demo.svg", f"{web}/w/demo.svg")

        started = time.monotonic()
        period_id = donations_insert(args.donations)
        inserted = time.monotonic() - started
        from fundraising.ledger.verify import tallies_rebuild
        from fundraising.pipeline.tasks import period_refresh_task

        tallies_rebuild(period_ids=[period_id])  # rows loaded in bulk bypass the running figures' write

        started = time.monotonic()
        period_refresh_task.apply(args=[period_id]).get()
        refreshed = time.monotonic() - started
        # Let PostgreSQL finish with the million rows (autovacuum would otherwise start on them during
        # (d) and take CPU from gunicorn), so (d) measures the app and not the database's housekeeping.
        psql(db_url, "VACUUM (ANALYZE) campaigns_donation")
        psql(db_url, "CHECKPOINT")
        time.sleep(3)
        served = servers.wait_http(f"{app}/w/demo.json").decode()
        assert f'"donors":{args.donations + 3}' in served, served
        print(f"\ninserted {args.donations:,} donations in {inserted:.1f} s; "
              f"period_refresh (ledger sum + snapshot) took {refreshed:.2f} s\n")
        measure("(d) gunicorn /w/demo.json, 1M donations", f"{app}/w/demo.json")
        measure("(d) gunicorn /w/demo.svg, 1M donations", f"{app}/w/demo.svg")

        print("\nratios against the aims")
        for fmt in ("json", "svg"):
            a = runs[f"(a) nginx static file, size of demo.{fmt}"][0]
            b = runs[f"(b) gunicorn /w/demo.{fmt}"][0]
            c = runs[f"(c) deploy/nginx.conf /w/demo.{fmt}"][0]
            d = runs[f"(d) gunicorn /w/demo.{fmt}, 1M donations"][0]
            e = runs[f"(e) web machine, proxy cache /w/demo.{fmt}"][0]
            print(f"  {fmt}: (b)/(a) = {b / a:6.1%} (aim >= 8%)   (c)/(a) = {c / a:6.1%} (aim >= 80%)   "
                  f"(d)/(b) = {d / b:6.1%} (aim within 10%: 90%..110%)   (e)/(a) = {e / a:6.1%} (aim >= 80%)")
    finally:
        bench_stop(processes=processes, admin_url=admin_url, db_name=db_name, tmp=tmp)


if __name__ == "__main__":
    main()
