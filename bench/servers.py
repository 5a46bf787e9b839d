"""The servers a bench runs on 127.0.0.1 (gunicorn, nginx, a Celery worker), how it waits for them and stops them."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NGINX = "/usr/sbin/nginx"
WORKER_LOGLEVEL = os.environ.get("BENCH_WORKER_LOGLEVEL", "WARNING")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on yet."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url, timeout=30, *, any_status=False):
    """Wait until `url` answers 2xx and return the body; with any_status, any HTTP answer will do (a /healthz
    that says 503 while beat has not run yet). Raises RuntimeError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - 127.0.0.1 only
                return response.read()
        except urllib.error.HTTPError as error:
            if any_status:
                return error.read()
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _start(command, *, env=None, **popen):
    """In a process group of its own, so stop() reaches the workers it forks and nothing else."""
    return subprocess.Popen([str(part) for part in command], cwd=ROOT, env=env, start_new_session=True, **popen)


def gunicorn(*, port, env, workers=2, threads=4, error_log=None, reuse_port=False, **popen):
    """`gunicorn fundraising.wsgi`, gthread workers, on 127.0.0.1:port."""
    command = [BIN / "gunicorn", "fundraising.wsgi", "-k", "gthread", "-w", workers, "--threads", threads,
               "-b", f"127.0.0.1:{port}", "--log-level", "warning"]  # fmt: skip
    if error_log:
        command += ["--error-logfile", error_log]
    if reuse_port:
        command.append("--reuse-port")
    return _start(command, env=env, **popen)


NGINX_MAIN = """worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/nginx-error.log warn;
events {{ worker_connections {connections}; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    {http}
}}
"""


def nginx(*, prefix, http, workers=1, connections=256):
    """nginx in the foreground serving `http` (the http block's directives and servers, e.g. deploy/nginx.conf's),
    its configuration, pid, logs and temporary files under `prefix`."""
    conf = Path(prefix) / "nginx.conf"
    conf.write_text(NGINX_MAIN.format(prefix=prefix, http=http, workers=workers, connections=connections))
    return _start([NGINX, "-p", prefix, "-c", conf, "-g", "daemon off; user root;"], stderr=subprocess.DEVNULL)


def celery_worker(*, env, concurrency=2, name=None, log=None):
    """`celery -A fundraising worker`, named `name` (for worker_wait), its output appended to `log` if given."""
    command = [BIN / "celery", "-A", "fundraising", "worker", "-c", concurrency, "--without-gossip",
               "--without-mingle", f"--loglevel={WORKER_LOGLEVEL}"]  # fmt: skip
    if name:
        command += ["-n", name]
    if log is None:
        return _start(command, env=env)
    with Path(log).open("ab") as out:
        return _start(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def worker_wait(app, name, log, attempts=200):
    """Until the worker answers a ping (each waits up to 0.5 s); raises with the end of its log if it never does."""
    for _ in range(attempts):
        if app.control.ping(destination=[name], timeout=0.5):
            return
    raise RuntimeError(f"worker {name} did not start:\n{Path(log).read_text(errors='replace')[-2000:]}")


def stop(processes, timeout=20):
    """Stop servers started here: their whole process group, nginx gracefully (SIGQUIT), the others by SIGTERM;
    SIGKILL after `timeout` seconds."""
    for process in processes:
        if process.poll() is None:
            graceful = signal.SIGQUIT if Path(process.args[0]).name == "nginx" else signal.SIGTERM
            _signal_group(process, graceful)
    for process in processes:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait(timeout)


def _signal_group(process, signum):
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass
