"""The supporters wall: a campaign's latest counted gifts with what their donors chose to make public.

Opt-in per campaign (Campaign.supporters_wall). Built by the pipeline with the snapshot (one query of at
most WALL_SIZE rows, walking the partial index ledger_donation_wall_standing, which holds exactly the rows
WALL_STANDING keeps, so it stops after WALL_SIZE rows however large the month), stored in the cache entry
and as a file, and served from there like every other widget format: never queried per request.

What is public, and nothing else (docs/privacy.md): the public name unless the gift is anonymous, the
message unless an owner or editor hid it, the day it was paid, one-time or monthly, and the amount only
when the owner opted in (Campaign.supporters_wall_amounts). Never an e-mail, a Stripe id or a row's id.
"""

import json
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
    kind: str  # "one_time" or "monthly"


class Wall(TypedDict):
    amounts: bool  # whether the campaign shows amounts
    gifts: list[WallGift]  # newest first, at most WALL_SIZE


def wall_build(*, campaign) -> Wall | None:
    """The campaign's wall from the ledger, or None when it has not opted in."""
    if not campaign.supporters_wall:
        return None
    rows = (
        Donation.objects.filter(WALL_STANDING, campaign=campaign)
        .order_by("-paid_at")
        .values("public_name", "anonymous", "message", "message_hidden", "amount", "paid_at", "kind")[:WALL_SIZE]
    )
    amounts = campaign.supporters_wall_amounts
    return {
        "amounts": amounts,
        "gifts": [
            {
                "name": None if row["anonymous"] or not row["public_name"].strip() else row["public_name"].strip(),
                "message": None if row["message_hidden"] or not row["message"].strip() else row["message"].strip(),
                "amount": row["amount"] if amounts else None,
                "date": timezone.localtime(row["paid_at"], campaign.tz).date().isoformat(),
                "kind": row["kind"],
            }
            for row in rows
        ],
    }


def wall_phrases():
    """The words a wall needs, in the active language (embed.js carries no dictionaries)."""
    return {
        "heading": gettext("Latest supporters"),
        "anonymous": gettext("Anonymous"),
        "one_time": gettext("One-time"),
        "monthly": gettext("Monthly"),
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
             "date": item["date"], "kind": item["kind"]}  # fmt: skip
            for item in document.get("supporters", [])
        ],
    }
