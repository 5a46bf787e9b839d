"""Shared fixtures: the cast (alice owns, bob is on her team, charlie has no access) and service checks."""

import json
import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests.factories import CampaignFactory, OrganizationFactory, UserFactory
from tests.loopback import Receiver, pages_served
from tests.worker import celery_worker, celery_workers  # noqa: F401 - fixtures for real-worker tests

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _reachable(url, default_port):
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def need(condition, reason):
    """Skip on a laptop without the service; fail in CI, where REQUIRE_SERVICES=1 says it must be there."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres():
    need(settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "DATABASE_URL is not PostgreSQL")


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    need(bool(url) and _reachable(url, 6379), "REDIS_URL is not set or Redis is not reachable")
    return url


@pytest.fixture
def chromium():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    need(os.path.exists(path), "chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def charlie(db):
    return UserFactory(username="charlie")


@pytest.fixture
def organization(alice, bob):
    from fundraising.campaigns.services import owner_add

    org = OrganizationFactory(name="Alice's club")
    owner_add(organization=org, user=alice)
    owner_add(organization=org, user=bob, role="editor")
    return org


@pytest.fixture
def campaign(organization):
    return CampaignFactory(organization=organization, slug="lights")


@pytest.fixture
def receiver(settings):
    """An owner's endpoint on loopback (tests/loopback.py): production refuses loopback, these tests allow it."""

    settings.OUTGOING_ALLOW_PRIVATE = True
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def publisher():
    """A publisher's site on another origin (127.0.0.1, a free port): its pages ({path: html}) and origin."""
    with pages_served() as (pages, origin):
        yield pages, origin


@pytest.fixture
def eager_retries():
    """In-process tasks only re-run on retry when errors are not propagated to the caller."""
    from fundraising.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def widget_root(settings, tmp_path):
    """A snapshot directory of the test's own, so no file from another test can be served."""
    settings.WIDGET_ROOT = tmp_path / "widgets"
    return settings.WIDGET_ROOT


@pytest.fixture
def demo(live_server, settings, widget_root, tmp_path):
    """`make demo` offline on the live server: the seeded demo, the local test checkout, e-mails to the demo's
    mailbox, DEBUG's rate limits; its URL. Screenshots go to tests/artifacts/demo/."""
    from django.core.management import call_command

    from tests.browser import ARTIFACTS

    settings.SITE_URL = live_server.url
    settings.DEBUG, settings.STRIPE_DEMO_CHECKOUT, settings.STRIPE_SECRET_KEY = True, True, ""
    settings.EMAIL_BACKEND = "fundraising.ops.mailbox.MailboxBackend"  # as `make demo` sets it
    settings.MAILBOX_DIR = tmp_path / "mailbox"
    settings.RATE_LIMIT_MULTIPLIER = 20  # DEBUG's default
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    (ARTIFACTS / "demo").mkdir(parents=True, exist_ok=True)
    return live_server.url


# A test using one of these fixtures carries the marker, so that `-m "not browser and not worker"` leaves it out.
MARKER_OF_FIXTURE = {"chromium": "browser", "celery_workers": "worker", "postgres": "postgres"}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Refuse a selected test that needs Chromium, a worker or PostgreSQL without saying so in its marker.

    Under mutmut, each mutant runs the tests that reach its function until one fails (-x): run the fastest
    first (durations from mutmut's stats run), so a mutant a unit or golden test kills costs a second, not a
    walk through every webhook scenario. Outside mutmut the order is pytest's."""
    unmarked = [
        f"{item.nodeid} uses {fixture} but is not marked {marker}"
        for item in items
        for fixture, marker in MARKER_OF_FIXTURE.items()
        if fixture in getattr(item, "fixturenames", ()) and item.get_closest_marker(marker) is None
    ]
    if unmarked:
        raise pytest.UsageError("\n".join(unmarked))
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        return
    stats = Path("mutmut-stats.json")  # mutmut runs the tests from its mutants/ directory
    durations = json.loads(stats.read_text()).get("duration_by_test", {}) if stats.exists() else {}
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))
