"""The first read after a month's end rolls the widget over, once: its claim lasts a minute (then leaves the cache),
and with the cache down a read still rolls over (twice is harmless) rather than showing the old month."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache, caches

from fundraising.widgets import services
from tests.factories import CampaignFactory, gift_add
from tests.worker import free_port

BEFORE = datetime.datetime(2026, 11, 30, 23, 59, 50, tzinfo=ZoneInfo("America/New_York"))


def month(entry):
    return entry["snapshot"]["period"]["label"].lower()


@pytest.fixture
def november(transactional_db, widget_root):
    """lights in New York, its November widget stored ten seconds before local midnight."""
    with time_machine.travel(BEFORE, tick=False):
        campaign = CampaignFactory(slug="lights", time_zone="America/New_York")
        gift_add(campaign=campaign, gifts=[5000])
        entry = services.snapshot_entry_get(slug="lights")
    assert month(entry) == "november 2026"
    return campaign, entry


def test_the_first_read_after_the_month_claims_its_rollover_for_a_minute(november, settings):
    campaign, entry = november
    # A cache whose clock is the travelled one (Redis expires keys by its own clock).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    claim = f"{services.entry_key('lights')}:roll:{entry['ends_at']}"
    with time_machine.travel(BEFORE + datetime.timedelta(seconds=12), tick=False):
        assert month(services.snapshot_entry_get(slug="lights")) == "december 2026"
        assert cache.has_key(claim)
        assert services.snapshot_rollover(campaign=campaign, entry=entry) is entry  # claimed: the old one meanwhile
    with time_machine.travel(BEFORE + datetime.timedelta(seconds=12 + 59.5), tick=False):
        assert cache.has_key(claim)
    with time_machine.travel(BEFORE + datetime.timedelta(seconds=12 + 60.5), tick=False):
        assert not cache.has_key(claim)  # no claim is kept for good: one a month per campaign would pile up


def test_with_the_cache_down_a_read_after_the_month_rolls_over(november, settings):
    campaign, entry = november
    settings.CACHES = {  # a Redis nobody listens on
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    try:
        with time_machine.travel(BEFORE + datetime.timedelta(seconds=12), tick=False):
            rolled = services.snapshot_rollover(campaign=campaign, entry=entry)
    finally:
        caches["default"].close()
    assert month(rolled) == "december 2026"
