"""manage.py in a subprocess with an environment of the test's choosing (none of the test run's own settings),
and PRODUCTION: the variables a production deployment sets. Start-up checks run this way."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 60 + "-production-like-secret-key-with-entropy",
    "ALLOWED_HOSTS": "fund.example.org",
    "SITE_URL": "https://fund.example.org",
    "DATABASE_URL": "sqlite:////tmp/fundraising-check.sqlite3",
}


def _environment(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",) and not k.startswith("SECURE_")}
    unset = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")
    for key in (*unset, "OUTGOING_ALLOW_PRIVATE", "MILESTONE_WEBHOOK_ALLOW_PRIVATE"):
        env.pop(key, None)
    env.update({"FUNDRAISING_IGNORE_DOTENV": "1", **env_overrides})
    return env


def run_manage(env_overrides, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=_environment(env_overrides), capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip


def run_python(env_overrides, code):
    """`python -c code` in the project directory, with the same environment as run_manage."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_environment(env_overrides), capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
