"""Rollover happens at local midnight even when the clocks changed that month or that very night."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from fundraising.campaigns import services
from fundraising.pipeline import tasks
from tests.factories import CampaignFactory

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def state(campaign):
    return [(p.start.isoformat(), p.closed_at is not None) for p in campaign.periods.order_by("start")]


def roll_at(when):
    with time_machine.travel(when, tick=False):
        tasks.periods_rollover()


@pytest.mark.parametrize(
    ("zone", "opened", "before", "after"),
    [
        # Paris springs forward on 2026-03-29: March ends at 22:00 UTC (CEST), not 23:00 (CET).
        (
            PARIS,
            datetime.datetime(2026, 3, 2),
            datetime.datetime(2026, 3, 31, 21, 58),
            datetime.datetime(2026, 3, 31, 22, 2),
        ),
        # Paris falls back on 2026-10-25: October ends at 23:00 UTC (CET).
        (
            PARIS,
            datetime.datetime(2026, 10, 2),
            datetime.datetime(2026, 10, 31, 22, 58),
            datetime.datetime(2026, 10, 31, 23, 2),
        ),
        # New York falls back at 02:00 on 2026-11-01, two hours after October ends at 04:00 UTC (EDT).
        (
            NEW_YORK,
            datetime.datetime(2026, 10, 2),
            datetime.datetime(2026, 11, 1, 3, 58),
            datetime.datetime(2026, 11, 1, 4, 2),
        ),
        # New York springs forward on 2026-03-08: March ends at 04:00 UTC (EDT), not 05:00 (EST).
        (
            NEW_YORK,
            datetime.datetime(2026, 3, 2),
            datetime.datetime(2026, 4, 1, 3, 58),
            datetime.datetime(2026, 4, 1, 4, 2),
        ),
    ],
)
def test_it_rolls_at_local_midnight_across_dst(transactional_db, zone, opened, before, after):
    campaign = CampaignFactory(time_zone=str(zone))
    with time_machine.travel(opened.replace(tzinfo=zone), tick=False):
        services.period_for(campaign=campaign)
    month = opened.strftime("%Y-%m-01")

    roll_at(before.replace(tzinfo=datetime.UTC))
    assert state(campaign) == [(month, False)]

    roll_at(after.replace(tzinfo=datetime.UTC))
    next_month = after.astimezone(zone).strftime("%Y-%m-01")
    assert state(campaign) == [(month, True), (next_month, False)]
