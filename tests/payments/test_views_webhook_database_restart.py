"""PostgreSQL restarted while webhooks arrive: no event is lost. Senders retry a delivery that did
not get a 2xx, as Stripe does; afterwards every unique event is stored once and the total is exact.
Runs gunicorn -w 2 against a private cluster (initdb/pg_ctl on a free port), not the shared server."""

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench import servers
from bench.embedded import post, widget_raised
from bench.pipeline import event_body, service_env
from tests.conftest import need

pytestmark = [pytest.mark.server, pytest.mark.postgres]

UNIQUE = 120


def pg(*args, user="postgres"):
    binary = shutil.which(args[0]) or f"/usr/local/bin/{args[0]}"
    prefix = ["runuser", "-u", user, "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, binary, *args[1:]], check=True, capture_output=True, timeout=60)


@pytest.fixture
def cluster():
    need(bool(shutil.which("initdb") or os.path.exists("/usr/local/bin/initdb")), "initdb is not installed")
    tmp = Path(tempfile.mkdtemp(prefix="fr-pg-restart-"))
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
    data, port = tmp / "data", servers.free_port()
    pg("initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1"

    def ctl(action, *extra):
        pg("pg_ctl", "-D", str(data), "-o", options, "-l", str(tmp / "log"), "-w", *extra, action)

    ctl("start")
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres", ctl
    finally:
        ctl("stop", "-m", "immediate")
        shutil.rmtree(tmp, ignore_errors=True)


def test_it_loses_no_event_when_postgresql_restarts(cluster):
    database_url, ctl = cluster
    tmp = Path(tempfile.mkdtemp(prefix="fr-pg-restart-app-"))
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**service_env(tmp / "widgets"), "DATABASE_URL": database_url, "SITE_URL": base}
    env.pop("REDIS_URL", None)  # tasks in-process: the request applies its event or the sweep does
    for command in (["migrate", "--noinput"], ["seed_demo", "--force"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=servers.ROOT, env=env, check=True, capture_output=True
        )
    server = servers.gunicorn(port=port, env=env, workers=2, threads=8)
    try:
        servers.wait_http(f"{base}/healthz", any_status=True)
        bodies = [event_body("demo", 100 + n, n) for n in range(UNIQUE)]
        failures, done, restarted = [], [], threading.Event()

        def restart():
            ctl("restart", "-m", "fast")
            restarted.set()

        def deliver(body):
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                status = post(f"{base}/stripe/webhook/", body)
                if isinstance(status, int) and 200 <= status < 300:
                    done.append(restarted.is_set())
                    if len(done) == UNIQUE // 4:  # a quarter delivered: restart under load
                        threading.Thread(target=restart).start()
                    return True
                failures.append(status)
                time.sleep(0.5)  # Stripe backs off longer; the point is that it retries
            return False

        with ThreadPoolExecutor(8) as pool:
            delivered = list(pool.map(deliver, bodies))
        assert all(delivered)
        assert restarted.wait(60) and any(done), "the restart did not happen while events arrived"

        expected = 10000 + sum(100 + n for n in range(UNIQUE))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and widget_raised(base) != expected:
            time.sleep(0.3)
        count = subprocess.run(
            ["psql", database_url, "-tAc", "SELECT count(*), count(processed_at) FROM payments_stripeevent"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        assert count == f"{UNIQUE}|{UNIQUE}", (count, failures[:5])
        assert widget_raised(base) == expected, failures[:5]
    finally:
        servers.stop([server], timeout=15)
