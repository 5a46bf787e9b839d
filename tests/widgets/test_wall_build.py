"""What the wall takes from the ledger: each gift's day in the campaign's own time zone, names and messages as
their donors wrote them with only the outer blanks trimmed."""

import datetime

import pytest

from fundraising.widgets.wall import wall_build
from tests.factories import CampaignFactory, gift_add

UTC = datetime.UTC


@pytest.mark.parametrize(
    "time_zone, paid_at, day",
    [
        ("Pacific/Auckland", datetime.datetime(2026, 3, 4, 20, 0, tzinfo=UTC), "2026-03-05"),  # already the 5th
        ("America/Los_Angeles", datetime.datetime(2026, 3, 5, 3, 0, tzinfo=UTC), "2026-03-04"),  # still the 4th
        ("UTC", datetime.datetime(2026, 3, 5, 3, 0, tzinfo=UTC), "2026-03-05"),
    ],
)
def test_a_gift_shows_the_day_it_was_paid_where_the_campaign_is(lights, time_zone, paid_at, day):
    lights.time_zone = time_zone
    lights.save()
    gift_add(campaign=lights, gifts=[{"public_name": "Ada", "paid_at": paid_at}])
    assert [gift["date"] for gift in wall_build(campaign=lights)["gifts"]] == [day]


def test_names_and_messages_lose_their_outer_blanks_and_keep_their_line_breaks(lights):
    gift_add(campaign=lights, gifts=[{"public_name": "  Ada Lovelace \t", "message": "\n Line one\nLine two  \n"}])
    [gift] = wall_build(campaign=lights)["gifts"]
    assert (gift["name"], gift["message"]) == ("Ada Lovelace", "Line one\nLine two")


def test_a_wall_shows_only_its_own_campaigns_gifts(lights):
    other = CampaignFactory(slug="lamps", supporters_wall=True)
    gift_add(campaign=other, gifts=[{"public_name": "Grace", "message": "For the lamps"}])
    gift_add(campaign=lights, gifts=[{"public_name": "Ada"}])
    assert [gift["name"] for gift in wall_build(campaign=lights)["gifts"]] == ["Ada"]
    assert [gift["message"] for gift in wall_build(campaign=other)["gifts"]] == ["For the lamps"]
