"""After the cache is flushed (or with it down) the wall comes back from its public file: a variant rendered
from it (another language) shows the same names, messages, amounts and dedications as before the flush."""

import json

import pytest
from django.core.cache import cache

from fundraising.ledger.models import Donation
from fundraising.widgets.services import snapshot_after_edit
from fundraising.widgets.wall import wall_build, wall_document, wall_from_document
from tests.factories import gift_add

WALL = "/w/lights/supporters.json"


@pytest.fixture
def lights(lights):
    """The shared campaign (tests/widgets/conftest.py), here showing amounts too."""
    lights.supporters_wall_amounts = True
    lights.save()
    snapshot_after_edit(campaign_id=lights.pk)
    return lights


def test_a_variant_of_the_wall_read_back_from_its_file_shows_everything_it_showed(client, lights):
    gift_add(campaign=lights, gifts=[{"public_name": "Ada", "message": "Merci !", "amount": 2500,
             "kind": Donation.Kind.MONTHLY, "tribute_kind": "memory", "tribute_name": "Grace",
             "tribute_on_wall": True}])  # fmt: skip
    cache.clear()  # the entry now comes from the files
    response = client.get(f"{WALL}?locale=fr_FR")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["amounts"] is True
    [ada] = document["supporters"]
    assert (ada["name"], ada["anonymous"], ada["message"], ada["kind"]) == ("Ada", False, "Merci !", "monthly")
    assert (ada["amount"], ada["amount_display"]) == (2500, "25 $US")
    assert ada["tribute"] == {"kind": "memory", "name": "Grace"}
    assert ada["tribute_display"] == "En mémoire de Grace"


def test_the_round_trip_through_the_public_file_keeps_every_field(lights):
    gift_add(campaign=lights, gifts=[
        {"public_name": "Ada", "message": "Hi", "amount": 2500, "tribute_kind": "memory", "tribute_name": "Grace",
         "tribute_on_wall": True},
        {"anonymous": True, "public_name": "Hidden", "amount": 700, "tribute_kind": "honour", "tribute_name": "Bo",
         "tribute_on_wall": True},
    ])  # fmt: skip
    wall = wall_build(campaign=lights)
    snapshot = {"locale": "en_US", "currency": "usd", "amount_pattern": "", "campaign": "lights",
                "updated_at": "2026-12-07T00:00:00Z"}  # fmt: skip
    assert wall_from_document(json.loads(json.dumps(wall_document(snapshot=snapshot, wall=wall)))) == wall
    assert wall["amounts"] is True and [g["amount"] for g in wall["gifts"]] == [700, 2500]


def test_the_wall_carries_all_its_words():
    from fundraising.widgets.wall import wall_phrases

    assert wall_phrases() == {
        "heading": "Latest supporters",
        "anonymous": "Anonymous",
        "one_time": "One-time",
        "monthly": "Monthly",
        "yearly": "Yearly",
        "empty": "No supporters to show yet.",
    }


def test_each_gift_shows_the_day_it_was_paid_in_the_walls_language():
    wall = {"amounts": False, "gifts": [{"name": "Ada", "message": None, "amount": None, "date": "2026-03-05",
                                         "kind": "one_time", "tribute": None}]}  # fmt: skip
    snapshot = {"locale": "de_DE", "currency": "eur", "amount_pattern": "", "campaign": "lights",
                "updated_at": "2026-12-07T00:00:00Z"}  # fmt: skip
    [gift] = wall_document(snapshot=snapshot, wall=wall)["supporters"]
    assert (gift["date"], gift["date_display"]) == ("2026-03-05", "5. März")
