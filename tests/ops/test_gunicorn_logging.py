"""gunicorn's access log (deploy/gunicorn.conf.py) and the app's own lines (a 404, a 500) never hold a
manage-link or invitation token."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fundraising.core.logformat import token_redact

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = "eyJvIjoxLCJlIjoiZG9ub3JAZXhhbXBsZS5vcmcifQ:1vXyz:AbCdEf"


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        (f"GET /c/lights/manage/{TOKEN}/ HTTP/1.1", "GET /c/lights/manage/[redacted]/ HTTP/1.1"),
        (f"/c/lights/manage/{TOKEN}/statement/2025/", "/c/lights/manage/[redacted]/statement/2025/"),
        (f"/invitations/{TOKEN}/", "/invitations/[redacted]/"),
        ("/c/lights/manage/", "/c/lights/manage/"),
    ],
)
def test_it_redacts_tokens_in_paths(line, logged):
    assert token_redact(line) == logged


@pytest.mark.server
def test_gunicorns_access_log_has_no_token(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DEBUG": "1", "FUNDRAISING_IGNORE_DOTENV": "1", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": "1", "DJANGO_SETTINGS_MODULE": "fundraising.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}  # fmt: skip
    env.pop("REDIS_URL", None)
    log = open(tmp_path / "out.log", "w")  # noqa: SIM115
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "fundraising.wsgi"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "out.log").read_text()
                time.sleep(0.2)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/c/lights/manage/{TOKEN}/",
                                         headers={"Referer": f"http://x/invitations/{TOKEN}/"})  # fmt: skip
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=5)
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    output = (tmp_path / "out.log").read_text()
    assert "/c/lights/manage/[redacted]/" in output and "/invitations/[redacted]/" in output
    assert TOKEN not in output, output
