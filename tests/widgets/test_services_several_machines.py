"""Several web machines, one worker, no shared disk: a web machine that keeps no widget files (WIDGET_FILES=0)
answers from the shared cache, then the database, never from files it wrote itself some time ago. A gift and a
deactivation the worker makes show there, also after Redis lost its data (before, its own stale files won)."""

import json

import pytest
from django.core.cache import cache
from django.test import TestCase

from fundraising.campaigns.services import campaign_update
from fundraising.core.bounded import BoundedMemo
from fundraising.widgets.fastpath import MEMO_SIZE
from fundraising.widgets.services import snapshot_refresh
from fundraising.wsgi import application
from tests.factories import SeedCampaignFactory, gift_add
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
