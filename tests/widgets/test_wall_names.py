"""Names on the wall are shown safely: bidi overrides and zero-width characters are taken out, each name is
isolated from the text around it (<bdi> in the iframe page and in embed.js's wall), and an owner can hide a
name like a message, through the ledger's service and its journal entry so every format follows."""

import json

import pytest
from django.db import transaction

from fundraising.campaigns.services import period_for
from fundraising.ledger.models import Donation
from fundraising.ledger.services import donation_names_hide, ledger_changed
from fundraising.widgets.wall import text_public
from tests.factories import DonationFactory

WALL = "/w/lights/supporters.json"
RLO, LRI, PDI, ZWSP, BOM = "\u202e", "\u2066", "\u2069", "\u200b", "\ufeff"


def give(campaign, **fields):
    period = period_for(campaign=campaign)
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, **{"period": period, **fields})
        ledger_changed(period_id=period.pk)
    return donation


@pytest.mark.parametrize(
    "raw, shown",
    [
        (f"Ada{RLO}nimda", "Adanimda"),
        (f"{LRI}Ada{PDI}", "Ada"),
        (f"A{ZWSP}d{BOM}a", "Ada"),
        ("\u200eAda\u200f\u061c", "Ada"),
        ("Ada\u0007\x1b[31m", "Ada[31m"),
        ("سارا\u200cجان", "سارا\u200cجان"),  # a zero-width non-joiner is part of how Persian is written
        ("👩\u200d💻 Grace", "👩\u200d💻 Grace"),  # and the joiner of an emoji sequence
    ],
)
def test_it_takes_bidi_controls_and_invisible_characters_out(raw, shown):
    assert text_public(raw) == shown


def test_the_wall_shows_names_without_controls_in_every_format(client, lights):
    give(lights, public_name=f"Ada{RLO}nimda", message=f"Go{RLO}od{ZWSP}!")
    give(lights, public_name=f"{ZWSP}{RLO}", message="")  # nothing visible left: anonymous
    document = json.loads(client.get(WALL).content)
    assert [(s["name"], s.get("message")) for s in document["supporters"]] == [(None, None), ("Adanimda", "Good!")]
    page = client.get("/w/lights/?supporters=1").content.decode()
    assert "<bdi>Adanimda</bdi>" in page and RLO not in page and ZWSP not in page


def test_embed_js_isolates_each_name():
    from django.conf import settings

    for path in (settings.BASE_DIR / "assets/embed.js", settings.BASE_DIR / "static/fundraising/embed.js"):
        assert '"bdi"' in path.read_text(), path


def test_an_owner_hides_a_name_and_the_wall_follows(client, lights):
    kept = give(lights, public_name="Ada", message="Thanks")
    rude = give(lights, public_name="Rude Name", message="Kind words")
    assert donation_names_hide(donations=[rude]) == 1
    assert donation_names_hide(donations=[rude, kept]) == 1  # only the changed one counts
    response = client.get(WALL)
    document = json.loads(response.content)
    assert b"Rude Name" not in response.content
    assert b"Rude Name" not in client.get("/w/lights/?supporters=1").content
    assert [(s["name"], s["anonymous"], s.get("message")) for s in document["supporters"]] == [
        (None, True, "Kind words"),
        (None, True, "Thanks"),
    ]
    assert donation_names_hide(donations=[rude, kept], hidden=False) == 2
    assert b"Rude Name" in client.get(WALL).content
    assert Donation.objects.get(pk=rude.pk).public_name == "Rude Name"  # kept in the ledger
