"""A real Celery worker as a subprocess on the Redis broker and the PostgreSQL test database.

Use the `celery_worker` fixture (it needs PostgreSQL, Redis and a transactional test): the test process
stops running tasks in-process, so what it enqueues goes through the broker to the worker."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from fundraising.celery import app
from tests.loopback import free_port

READY_SECONDS = 40
STOP_SECONDS = 15
CELERY = str(Path(sys.executable).with_name("celery"))


def database_url():
    """The URL of the database this test runs against (pytest-django's test_<name>)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(predicate, timeout, message, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{message} (after {timeout} s)")


class Worker:
    """One `celery -A fundraising worker` process group, its log in a temp file."""

    def __init__(self, *, redis_url, concurrency=2, visibility_timeout=300, extra_env=None):
        self.name = f"test-{uuid.uuid4().hex[:8]}@127.0.0.1"
        self.log = Path(tempfile.mkstemp(prefix="celery-worker-", suffix=".log")[1])
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "fundraising.settings",
            "FUNDRAISING_IGNORE_DOTENV": "1",
            "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url,
            "WIDGET_ROOT": str(settings.WIDGET_ROOT),
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "CONN_MAX_AGE": "0",
            **(extra_env or {}),
        }
        self.concurrency = concurrency
        self.process = None

    def start(self):
        command = [CELERY, "-A", "fundraising", "worker", "-n", self.name, "-c", str(self.concurrency),
                   "--without-gossip", "--without-mingle", "--loglevel=INFO"]  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, env=self.env, cwd=settings.BASE_DIR, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so the pool children die with it
            )  # fmt: skip
        offset = self.log.stat().st_size if self.log.exists() else 0
        wait_for(lambda: self._ready(offset), READY_SECONDS, f"worker did not start:\n{self.output()[-3000:]}")
        return self

    def _ready(self, offset):
        if self.process.poll() is not None:
            raise AssertionError(f"worker exited with {self.process.returncode}:\n{self.output()[-3000:]}")
        return " ready." in self.log.read_text(errors="replace")[offset:]

    def output(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self):
        """SIGKILL the whole group, as an OOM killer or a lost machine would: no chance to ack or requeue."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(STOP_SECONDS)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown: finish the task at hand
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_SECONDS)


class RedisServer:
    """A private redis-server on a free port, for tests that stop the broker without hurting anyone else."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        binary = shutil.which("redis-server")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self._accepts, 10, "redis-server did not start")
        return self

    def _accepts(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(STOP_SECONDS)


def broker_use(url):
    """Point this process's producer at `url` (fresh connection pools) and stop running tasks in-process."""
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None


def queue_purge():
    with app.connection_for_write() as conn:
        for queue in app.conf.task_queues:
            conn.default_channel.queue_purge(queue.name)


@pytest.fixture
def celery_workers(postgres, redis_url, transactional_db, widget_root):
    """Start workers with `celery_workers(**options)`; all are stopped (bounded) after the test."""
    started = []
    saved = app.conf.broker_url
    broker_use(redis_url)
    queue_purge()

    def start(**options):
        worker = Worker(redis_url=options.pop("redis_url", redis_url), **options).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    broker_use(saved)
    app.conf.task_always_eager = True


@pytest.fixture
def celery_worker(celery_workers):
    """One real worker on the test's Redis and PostgreSQL."""
    return celery_workers()
