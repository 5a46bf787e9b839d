"""The wall's public document, whole: every field of a gift and every word in the wall's language
(docs/widgets.md#supporters-wall)."""

from fundraising.widgets.wall import wall_document

SNAPSHOT = {"locale": "fr_FR", "currency": "eur", "amount_pattern": "", "campaign": "lights",
            "updated_at": "2026-12-07T10:00:00Z"}  # fmt: skip
ADA = {"name": "Ada", "message": "Merci", "amount": 2500, "date": "2026-03-05", "kind": "monthly",
       "tribute": {"kind": "memory", "name": "Grace"}}  # fmt: skip
ANONYMOUS = {"name": None, "message": None, "amount": 700, "date": "2026-12-01", "kind": "one_time", "tribute": None}
NBSP = "\xa0"


def test_the_document_carries_every_public_field_in_the_walls_language():
    document = wall_document(snapshot=SNAPSHOT, wall={"amounts": True, "gifts": [ADA, ANONYMOUS]})
    assert document == {
        "campaign": "lights",
        "amounts": True,
        "supporters": [
            {"name": "Ada", "anonymous": False, "date": "2026-03-05", "date_display": "5 mars", "kind": "monthly",
             "message": "Merci", "tribute": {"kind": "memory", "name": "Grace"},
             "tribute_display": "En mémoire de Grace", "amount": 2500, "amount_display": f"25{NBSP}€"},
            {"name": None, "anonymous": True, "date": "2026-12-01", "date_display": "1 déc.", "kind": "one_time",
             "amount": 700, "amount_display": f"7{NBSP}€"},
        ],  # fmt: skip
        "updated_at": "2026-12-07T10:00:00Z",
        "text": {"lang": "fr", "heading": "Derniers soutiens", "anonymous": "Anonyme", "one_time": "Ponctuel",
                 "monthly": "Mensuel", "yearly": "Annuel", "empty": "Aucun soutien à afficher pour l’instant."},
    }  # fmt: skip
    assert list(document) == ["campaign", "amounts", "supporters", "updated_at", "text"]


def test_a_wall_without_amounts_shows_none_even_of_a_gift_that_carries_one():
    document = wall_document(snapshot=SNAPSHOT, wall={"amounts": False, "gifts": [ADA]})
    assert document["amounts"] is False
    assert "amount" not in document["supporters"][0] and "amount_display" not in document["supporters"][0]


def test_an_empty_wall_still_has_its_words():
    document = wall_document(snapshot=dict(SNAPSHOT, locale="de_DE"), wall={"amounts": False, "gifts": []})
    assert (document["supporters"], document["text"]["lang"], document["text"]["heading"]) == (
        [], "de", "Neueste Unterstützer"
    )


def test_amounts_follow_the_campaigns_own_pattern():
    snapshot = dict(SNAPSHOT, amount_pattern="¤#,##0.00")
    [gift] = wall_document(snapshot=snapshot, wall={"amounts": True, "gifts": [dict(ADA, amount=2550)]})["supporters"]
    assert (gift["amount"], gift["amount_display"]) == (2550, "€25,50")
