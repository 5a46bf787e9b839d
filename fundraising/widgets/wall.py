"""The supporters wall: a campaign's latest counted gifts with what their donors chose to make public.

Opt-in per campaign (Campaign.supporters_wall). Built by the pipeline with the snapshot (one query of at
most WALL_SIZE rows, walking the partial index ledger_donation_wall_standing, which holds exactly the rows
WALL_STANDING keeps, so it stops after WALL_SIZE rows however large the month), stored in the cache entry
and as a file, and served from there like every other widget format: never queried per request.

What is public, and nothing else (docs/privacy.md): the public name unless the gift is anonymous or an owner
or editor hid it, the message unless they hid it (both without invisible or bidi control characters), the day
it was paid, one-time or monthly, the amount only when the owner opted in (Campaign.supporters_wall_amounts),
and a dedication ("in memory of Ada") only when the donor allowed it. Never an e-mail, a Stripe id or a row's id.
"""

import json
import unicodedata
from typing import TypedDict

from babel.dates import format_skeleton
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from fundraising.core import money
from fundraising.core.language import language_override
from fundraising.ledger.models import Donation

WALL_SIZE = 20
# Counted and still standing: paid, not fully refunded, no open or lost dispute, not reversed. A partly
# refunded gift stays (its donor still gave); the amount shown is then what was given, as on the receipt.
WALL_STATUSES = (Donation.Status.SUCCEEDED, Donation.Status.PARTIALLY_REFUNDED)
# The stored `reversed` state, not a join to the reversal: an anti-join made PostgreSQL read the whole month.
WALL_STANDING = Q(paid_at__isnull=False, reversed=False, status__in=WALL_STATUSES)


class WallGift(TypedDict):
    name: str | None  # None: anonymous (asked for it, or gave no name)
    message: str | None  # None: none written, or hidden by the campaign
    amount: int | None  # minor units; None unless the campaign shows amounts
    date: str  # ISO date the gift was paid, in the campaign's time zone
    kind: str  # "one_time", "monthly" or "yearly"
    tribute: "WallTribute | None"  # None: no dedication, or the donor kept it off the wall


class WallTribute(TypedDict):
    kind: str  # "honour" or "memory"
    name: str


class Wall(TypedDict):
    amounts: bool  # whether the campaign shows amounts
    gifts: list[WallGift]  # newest first, at most WALL_SIZE


# Format characters kept: the zero-width non-joiner and joiner are how Persian and Indic names and emoji
# sequences are written. Every other control or format character (bidi overrides and isolates, marks,
# zero-width spaces, byte-order marks) is taken out of what the wall shows.
FORMAT_KEPT = frozenset("\u200c\u200d\n")


def text_public(value):
    """A name or message as the wall shows it: no bidi control, zero-width or other invisible character that
    could reorder the text around it or make two names look alike; trimmed."""
    return "".join(c for c in value if c in FORMAT_KEPT or unicodedata.category(c) not in ("Cc", "Cf")).strip()


def wall_build(*, campaign) -> Wall | None:
    """The campaign's wall from the ledger, or None when it has not opted in."""
    if not campaign.supporters_wall:
        return None
    rows = (
        Donation.objects.filter(WALL_STANDING, campaign=campaign)
        .order_by("-paid_at")
        .values("public_name", "anonymous", "name_hidden", "message", "message_hidden", "amount", "paid_at", "kind",
                "tribute_kind", "tribute_name", "tribute_on_wall")[:WALL_SIZE]
    )
    amounts = campaign.supporters_wall_amounts
    return {
        "amounts": amounts,
        "gifts": [
            {
                "name": None if row["anonymous"] or row["name_hidden"] else text_public(row["public_name"]) or None,
                "message": None if row["message_hidden"] else text_public(row["message"]) or None,
                "amount": row["amount"] if amounts else None,
                "date": timezone.localtime(row["paid_at"], campaign.tz).date().isoformat(),
                "kind": row["kind"],
                "tribute": wall_tribute(row),
            }
            for row in rows
        ],
    }


def wall_tribute(row) -> WallTribute | None:
    """A row's dedication when its donor allowed it on the wall."""
    name = (text_public(row["tribute_name"]) or "").strip()  # the same cleaning as public names
    if not row["tribute_on_wall"] or not name or row["tribute_kind"] not in ("honour", "memory"):
        return None
    return {"kind": row["tribute_kind"], "name": name}


def wall_tribute_display(tribute: WallTribute) -> str:
    """The dedication ("In memory of Ada") in the active language (the same words as the receipt)."""
    if tribute["kind"] == "memory":
        return gettext("In memory of %(name)s") % {"name": tribute["name"]}
    return gettext("In honour of %(name)s") % {"name": tribute["name"]}


def wall_phrases():
    """The words a wall needs, in the active language (embed.js carries no dictionaries)."""
    return {
        "heading": gettext("Latest supporters"),
        "anonymous": gettext("Anonymous"),
        "one_time": gettext("One-time"),
        "monthly": gettext("Monthly"),
        "yearly": gettext("Yearly"),
        "empty": gettext("No supporters to show yet."),
    }


def wall_document(*, snapshot, wall: Wall) -> dict:
    """The public JSON document of the wall in the snapshot's locale (docs/widgets.md#supporters-wall)."""
    locale = snapshot["locale"]
    supporters = []
    for gift in wall["gifts"]:
        day = timezone.datetime.fromisoformat(gift["date"]).date()
        item = {"name": gift["name"], "anonymous": gift["name"] is None, "date": gift["date"],
                "date_display": format_skeleton("MMMd", day, locale=locale), "kind": gift["kind"]}  # fmt: skip
        if gift["message"] is not None:
            item["message"] = gift["message"]
        if gift.get("tribute"):
            item["tribute"] = gift["tribute"]
            with language_override(locale):
                item["tribute_display"] = wall_tribute_display(gift["tribute"])
        if wall["amounts"] and gift["amount"] is not None:
            item["amount"] = gift["amount"]
            item["amount_display"] = money.format_money(
                gift["amount"], snapshot["currency"], locale, snapshot["amount_pattern"]
            )
        supporters.append(item)
    with language_override(locale):
        text = {"lang": translation.get_language(), **wall_phrases()}
    return {
        "campaign": snapshot["campaign"],
        "amounts": wall["amounts"],
        "supporters": supporters,
        "updated_at": snapshot["updated_at"],
        "text": text,
    }


def wall_render(*, snapshot, wall: Wall) -> bytes:
    """Compact UTF-8 JSON, <, > and & escaped like json_render (safe inside an HTML <script> too)."""
    text = json.dumps(wall_document(snapshot=snapshot, wall=wall), ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


def wall_from_document(document: dict) -> Wall:
    """The wall again from its public JSON file (after a cache flush, or with the cache down)."""
    return {
        "amounts": bool(document.get("amounts")),
        "gifts": [
            {"name": item.get("name"), "message": item.get("message"), "amount": item.get("amount"),
             "date": item["date"], "kind": item["kind"], "tribute": _tribute_read(item.get("tribute"))}  # fmt: skip
            for item in document.get("supporters", [])
        ],
    }


def _tribute_read(value) -> WallTribute | None:
    if not isinstance(value, dict) or value.get("kind") not in ("honour", "memory") or not value.get("name"):
        return None
    return {"kind": value["kind"], "name": str(value["name"])}
