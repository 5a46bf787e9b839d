"""Without a broker or beat, the first read after local midnight on the 1st shows the new month in
every format (label, target, the total so far), built once; in New York and in Tokyo."""

import datetime
import json
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fundraising.campaigns.models import Period
from fundraising.widgets import services
from tests.factories import CampaignFactory, gift_add
from tests.wsgi_call import wsgi_get


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo"])
def test_it_shows_the_new_month_at_local_midnight(transactional_db, widget_root, monkeypatch, zone):
    from fundraising.wsgi import application

    monkeypatch.setattr(application, "memo", {})
    before = datetime.datetime(2026, 11, 30, 23, 59, 50, tzinfo=ZoneInfo(zone))
    with time_machine.travel(before, tick=False):
        campaign = CampaignFactory(slug="lights", time_zone=zone)
        gift_add(campaign=campaign, gifts=[5000, 3000, 2000])
        status, _, body = wsgi_get("/w/lights.json")
        assert json.loads(body)["period"]["label"].lower() == "november 2026"

    with time_machine.travel(before + datetime.timedelta(seconds=12), tick=False):
        monkeypatch.setattr(application, "memo", {})  # the 0.5 s memo has long expired by then
        refresh = mock.patch.object(services, "snapshot_refresh", wraps=services.snapshot_refresh)
        with refresh as refreshed:
            answers = [wsgi_get(path) for path in ("/w/lights.json", "/w/lights.svg", "/w/lights/")]
            answers += [wsgi_get("/w/lights.json") for _ in range(3)]
        assert refreshed.call_count == 1  # built once, then served as usual
    assert all(status == 200 for status, _, _ in answers)
    document = json.loads(answers[0].body)
    assert (document["period"]["label"].lower(), document["raised"], document["target"]) == ("december 2026", 0, 500000)
    assert b"december 2026" in answers[1].body.lower() and b"december 2026" in answers[2].body.lower()
    november = Period.objects.get(campaign=campaign, start=datetime.date(2026, 11, 1))
    assert november.closed_at is not None and november.raised == 10000
