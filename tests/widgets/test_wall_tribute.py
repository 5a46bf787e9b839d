"""A dedication shows on the supporters wall only when its donor allowed it, in the wall's language,
escaped in the JSON, the iframe page and after a round trip through the public file."""

import json

import pytest
from django.db import transaction

from fundraising.campaigns.services import period_for
from fundraising.ledger.services import ledger_changed
from fundraising.widgets.wall import wall_build, wall_document, wall_from_document
from tests.factories import DonationFactory

WALL = "/w/lights/supporters.json"


def give(campaign, **fields):
    period = period_for(campaign=campaign)
    with transaction.atomic():
        DonationFactory(campaign=campaign, period=period, **fields)
        ledger_changed(period_id=period.pk)


def supporters(client, path=WALL):
    response = client.get(path)
    assert response.status_code == 200
    return json.loads(response.content)["supporters"]


def test_it_shows_a_dedication_only_when_the_donor_allowed_it(client, lights):
    give(lights, public_name="Hedy", tribute_kind="memory", tribute_name="Ada", tribute_on_wall=True,
         tribute_notify_email="grace@example.org")  # fmt: skip
    give(lights, public_name="Grace", tribute_kind="honour", tribute_name="Private Person")
    shown_off, shown = supporters(client)
    assert "tribute" not in shown_off and "tribute_display" not in shown_off
    assert shown["tribute"] == {"kind": "memory", "name": "Ada"}
    assert shown["tribute_display"] == "In memory of Ada"
    raw = client.get(WALL).content.decode()
    assert "Private Person" not in raw and "grace@example.org" not in raw
    page = client.get("/w/lights/?supporters=1").content.decode()
    assert '<p class="tribute"><bdi>In memory of Ada</bdi></p>' in page
    assert "Private Person" not in page


def test_an_anonymous_gift_shows_its_allowed_dedication_not_its_name(client, lights):
    give(lights, public_name="Hedy", anonymous=True, tribute_kind="honour", tribute_name="Ada", tribute_on_wall=True)
    [gift] = supporters(client)
    assert gift["name"] is None and gift["tribute_display"] == "In honour of Ada"


def test_it_speaks_the_requested_language(client, lights):
    give(lights, tribute_kind="memory", tribute_name="Ada", tribute_on_wall=True)
    [gift] = supporters(client, WALL + "?locale=fr_FR")
    assert gift["tribute_display"] == "En mémoire de Ada"


def test_it_escapes_a_dedication_everywhere(client, lights):
    give(lights, tribute_kind="memory", tribute_name="</script><img src=x onerror=alert(1)>&", tribute_on_wall=True)
    raw = client.get(WALL).content
    assert b"<" not in raw and b">" not in raw and b"&" not in raw
    assert supporters(client)[0]["tribute"]["name"] == "</script><img src=x onerror=alert(1)>&"
    page = client.get("/w/lights/?supporters=1").content.decode()
    assert "<img src=x" not in page and "</script><img" not in page
    assert "In memory of &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;" in page


def test_it_survives_the_round_trip_through_the_public_file(lights):
    give(lights, tribute_kind="honour", tribute_name="Ada", tribute_on_wall=True)
    wall = wall_build(campaign=lights)
    snapshot = {"locale": "en_US", "currency": "usd", "amount_pattern": "", "campaign": "lights",
                "updated_at": "2026-12-07T00:00:00Z"}  # fmt: skip
    document = wall_document(snapshot=snapshot, wall=wall)
    assert wall_from_document(json.loads(json.dumps(document))) == wall
    hostile = dict(document, supporters=[dict(document["supporters"][0], tribute={"kind": "<x>", "name": "Ada"})])
    assert wall_from_document(hostile)["gifts"][0]["tribute"] is None


def test_an_erased_donors_dedication_leaves_the_wall(client, lights):
    from fundraising.supporters.privacy import supporter_erase

    give(lights, donor_email="hedy@example.org", tribute_kind="memory", tribute_name="Ada", tribute_on_wall=True)
    assert supporters(client)[0]["tribute_display"] == "In memory of Ada"
    supporter_erase(organization=lights.organization, email="hedy@example.org")
    assert "tribute" not in supporters(client)[0]


@pytest.mark.parametrize("name", ["", "   ", "\u200b\u202e"])
def test_a_dedication_without_a_visible_name_stays_off_the_wall(name):
    from fundraising.widgets.wall import wall_tribute

    row = {"tribute_on_wall": True, "tribute_kind": "memory", "tribute_name": name}
    assert wall_tribute(row) is None
    assert wall_tribute({**row, "tribute_name": " \u200bAda\u202e "}) == {"kind": "memory", "name": "Ada"}
    assert wall_tribute({**row, "tribute_name": "Ada", "tribute_kind": ""}) is None
