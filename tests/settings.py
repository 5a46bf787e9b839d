"""Test settings: production settings with test-only values set through the environment."""

import os
import tempfile
from urllib.parse import urlparse

os.environ["FUNDRAISING_IGNORE_DOTENV"] = "1"
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STRIPE_WEBHOOK_SECRET", "whsec_test_secret")
os.environ.setdefault("WIDGET_ROOT", tempfile.mkdtemp(prefix="fundraising-widgets-"))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The donation form's proof-of-work stays real but cheap: a handful of key derivations (tests/challenge_helpers.py).
os.environ.setdefault("ALTCHA_DIFFICULTY", "4")


def redis_url_of_worker(url, worker):
    """Under pytest-xdist, worker gw<n> uses Redis db <base + n> (gw0 the base itself), as pytest-django gives it a
    test database of its own: tests empty the cache (FLUSHDB) and would empty another worker's in the same db."""
    parsed = urlparse(url)
    if not worker or parsed.scheme not in ("redis", "rediss"):
        return url
    return parsed._replace(path=f"/{int(parsed.path.strip('/') or 0) + int(worker.removeprefix('gw'))}").geturl()


if os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = redis_url_of_worker(os.environ["REDIS_URL"], os.environ.get("PYTEST_XDIST_WORKER", ""))

from fundraising.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Unit tests run tasks in-process on commit; tests that need a real worker start one and turn this off.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Whitenoise warns on every request when STATIC_ROOT does not exist; tests never collect static files.
STATIC_ROOT = tempfile.mkdtemp(prefix="fundraising-static-")
if not REDIS_URL:  # noqa: F405
    # Unit tests keep a per-process cache they clear between tests; the shared database cache of
    # the embedded default is exercised by the tests that run gunicorn (marked `server`).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
