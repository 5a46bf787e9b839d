"""Several web machines, one worker, no shared disk: a web machine that keeps no widget files (WIDGET_FILES=0)
answers from the shared cache, then the database, never from files it wrote itself some time ago. A gift and a
deactivation the worker makes show there, also after Redis lost its data (before, its own stale files won)."""

import json
import urllib.error
import urllib.request

import pytest
import redis
from django.core.cache import cache
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from bench import servers
from fundraising.campaigns.services import campaign_update
from fundraising.core.bounded import BoundedMemo
from fundraising.ledger import services as ledger
from fundraising.widgets.fastpath import MEMO_SIZE
from fundraising.widgets.services import entry_key, snapshot_refresh
from fundraising.wsgi import application
from tests.factories import DonationFactory, SeedCampaignFactory, gift_add
from tests.worker import wait_for
from tests.wsgi_call import wsgi_get


@pytest.fixture
def machines(settings, tmp_path, monkeypatch):
    """Switch this process between the worker's machine and a web machine: each its own disk. Each switch is
    more than the fast path's memo (MEMO_SECONDS) later: a process forgets what it read by then."""

    def on(name):
        settings.WIDGET_ROOT = tmp_path / name
        settings.WIDGET_FILES = name == "worker"
        monkeypatch.setattr(application, "memo", BoundedMemo(MEMO_SIZE))

    return on


def raised_on_web(machines):
    machines("web")
    answer = wsgi_get("/w/lights.json")
    return answer.status, json.loads(answer.body)["raised"] if answer.status == 200 else None


def test_a_web_machine_shows_the_workers_gifts_and_deactivations(transactional_db, machines, settings, tmp_path):
    machines("worker")
    campaign = SeedCampaignFactory(gifts=(5000,))
    # Before WIDGET_FILES, the web machine had written files of its own when it once built the widget itself.
    settings.WIDGET_ROOT = tmp_path / "web"
    snapshot_refresh(campaign_id=campaign.pk)
    stale = sorted(p.name for p in (tmp_path / "web").rglob("*.json"))
    assert stale == ["lights.json"]

    machines("worker")
    gift_add(campaign=campaign, gifts=(2500,))
    assert raised_on_web(machines) == (200, 7500)  # the shared cache

    cache.clear()  # Redis emptied (or restarted without persistence)
    assert raised_on_web(machines) == (200, 7500)  # the database, not the machine's old file (5000)

    machines("worker")
    with TestCase.captureOnCommitCallbacks(execute=True):
        campaign_update(campaign=campaign, active=False)
    assert raised_on_web(machines) == (404, None)
    cache.clear()
    assert raised_on_web(machines) == (404, None)


def test_a_web_machine_writes_no_files(transactional_db, machines, tmp_path):
    machines("web")
    campaign = SeedCampaignFactory()
    snapshot_refresh(campaign_id=campaign.pk)
    assert wsgi_get("/w/lights.svg").status == 200
    assert not (tmp_path / "web").exists()  # nginx there finds no file and asks the app (its proxy cache)


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.server
def test_two_gunicorn_machines_and_one_worker_agree(celery_workers, redis_url, campaign_lights, tmp_path):
    """Two app machines (gunicorn each, a WIDGET_ROOT each) and one real worker on one database and Redis, all
    with WIDGET_FILES=0: a gift, an emptied Redis and a deactivation show the same on both within seconds."""
    roots = {name: tmp_path / name for name in ("worker", "one", "two")}
    worker = celery_workers(extra_env={"WIDGET_ROOT": str(roots["worker"]), "WIDGET_FILES": "0"})
    common = {**worker.env, "DEBUG": "0", "SECRET_KEY": "machines-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1",
              "SECURE_SSL_REDIRECT": "0"}  # fmt: skip
    ports = {"one": servers.free_port(), "two": servers.free_port()}
    started = [
        servers.gunicorn(port=port, env={**common, "WIDGET_ROOT": str(roots[name])}, workers=1)
        for name, port in ports.items()
    ]
    try:
        for port in ports.values():
            servers.wait_http(f"http://127.0.0.1:{port}/healthz", any_status=True)

        def seen():
            return {name: served_raised(port) for name, port in ports.items()}

        with transaction.atomic():
            donation = DonationFactory(campaign=campaign_lights, amount=2500)
            ledger.ledger_changed(period_id=donation.period_id)  # the worker refreshes the widget
        wait_for(lambda: seen() == {"one": 12500, "two": 12500}, 15, f"machines disagree: {seen()}")

        redis.Redis.from_url(redis_url).flushdb()  # Redis emptied: each machine rebuilds, none serves old bytes
        wait_for(lambda: seen() == {"one": 12500, "two": 12500}, 15, f"machines disagree: {seen()}")

        with TestCase.captureOnCommitCallbacks(execute=True):
            campaign_update(campaign=campaign_lights, active=False)  # as the admin on any machine
        wait_for(lambda: seen() == {"one": 404, "two": 404}, 15, f"a deactivated widget is still up: {seen()}")
        assert not any(root.exists() for root in roots.values())
    finally:
        servers.stop(started)


def served_raised(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/w/lights.json", timeout=5) as response:
            return json.loads(response.read())["raised"]
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def campaign_lights(transactional_db, widget_root):
    return SeedCampaignFactory()  # 100 $ this month, widgets written (the test's cache is the machines' Redis)


def test_a_machine_without_files_keeps_what_it_builds_in_the_shared_cache(transactional_db, machines, client):
    """WIDGET_FILES=0: a widget missing from the cache is built from the database once, into the cache, and the
    worker's refresh goes to the cache too (before, neither was stored: every read went to the database)."""
    machines("web")  # the worker's WIDGET_FILES=0 as well (docs/operations.md, "Several web machines")
    campaign = SeedCampaignFactory()
    cache.clear()
    assert json.loads(client.get("/w/lights.json").content)["raised"] == 10000
    assert cache.get(entry_key("lights"))["snapshot"]["raised"] == 10000
    with CaptureQueriesContext(connection) as queries:
        assert json.loads(client.get("/w/lights.json").content)["raised"] == 10000
    assert len(queries) == 0
    gift_add(campaign=campaign, gifts=(2500,))
    assert cache.get(entry_key("lights"))["snapshot"]["raised"] == 12500
