"""Render a snapshot dict as the widget formats: JSON bytes, the SVG bar and the iframe page.

Pure functions of the snapshot and the options: no database, so any variant is cheap to make.
Every piece of user text goes through Django's autoescaping (valid in XML as in HTML).
"""

import json
from decimal import Decimal

from babel import Locale
from babel.dates import format_skeleton, format_time
from babel.numbers import format_percent
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from fundraising.core.language import language_override
from fundraising.core.palette import palette as core_palette

from .options import WidgetOptions
from .snapshots import Snapshot, snapshot_goal, snapshot_localize
from .wall import Wall, wall_document

DEFAULT = WidgetOptions()
WIDTH, PAD = 480, 18
# Average glyph width of a sans-serif face as a share of the font size: enough to keep labels apart.
GLYPH = 0.6


def palette(options):
    return core_palette(theme=options.theme, accent=options.accent)


def supporters_text(donors):
    # Same msgids as the templates' {% blocktranslate count counter=... %}.
    return ngettext("%(counter)s supporter", "%(counter)s supporters", donors) % {"counter": donors}


def of_text(snapshot):
    """What follows the headline figure, in the goal's unit: "of 5,000 $", "of 50 monthly supporters"."""
    goal = snapshot_goal(snapshot)
    target = goal["formatted"]["target"]
    if goal["kind"] == "supporters":
        # Translators: follows the number of monthly supporters, "37 of 50 monthly supporters".
        return ngettext("of %(target)s monthly supporter", "of %(target)s monthly supporters", goal["target"]) % {
            "target": target
        }
    if goal["kind"] == "recurring":
        # Translators: follows the monthly recurring total, "1,200 $ of 2,000 $ per month".
        return gettext("of %(target)s per month") % {"target": target}
    # Translators: follows the raised amount, "100 $ of 5,000 $".
    return gettext("of %(target)s") % {"target": target}


def detail_text(snapshot):
    """The second fact beside the goal: the supporters, or for a supporters goal the money raised."""
    if snapshot_goal(snapshot)["kind"] == "supporters":
        # Translators: the money given this month, "1,234 $ raised".
        return gettext("%(raised)s raised") % {"raised": snapshot["formatted"]["raised"]}
    return supporters_text(snapshot["donors"])


def valuetext(snapshot):
    goal = snapshot_goal(snapshot)
    values = {
        "current": goal["formatted"]["current"],
        "target": goal["formatted"]["target"],
        "month": snapshot["period"]["label"],
    }
    if goal["kind"] == "supporters":
        return (
            ngettext(
                "%(current)s of %(target)s monthly supporter in %(month)s",
                "%(current)s of %(target)s monthly supporters in %(month)s",
                goal["target"],
            )
            % values
        )
    if goal["kind"] == "recurring":
        return gettext("%(current)s of %(target)s per month in monthly gifts in %(month)s") % values
    return gettext("%(raised)s of %(target)s raised in %(month)s") % {
        "raised": values["current"],
        "target": values["target"],
        "month": values["month"],
    }


def goal_words(snapshot):
    """The goal's phrases that the JSON's words and the SVG's both show, in the active language: made once when a
    refresh renders every format (defaults_render)."""
    return {"of": of_text(snapshot), "detail": detail_text(snapshot), "valuetext": valuetext(snapshot)}


def phrases(snapshot, words=None):
    """The translated words embed.js needs (it carries no dictionaries), in the active language."""
    words = words or goal_words(snapshot)
    return {
        "lang": translation.get_language(),  # of these words: embed.js sets it on its root
        "of": words["of"],
        "supporters": supporters_text(snapshot["donors"]),
        "detail": words["detail"],
        "donate": gettext("Donate"),
        "valuetext": words["valuetext"],
        "how_often": gettext("How often?"),
        "one_time": gettext("One-time"),
        "monthly": gettext("Monthly"),
        "choose": gettext("Choose an amount to give (opens a new tab)"),
        # Translators: %(when)s is a relative time from the browser, like "2 minutes ago".
        "updated": gettext("Updated %(when)s"),
        "ago": ago_phrases(),
    }


def ago_phrases():
    """What embed.js puts in "Updated %(when)s", in the active language: "just now", and CLDR's
    "{0} minutes ago" per plural category for minutes, hours and days (it picks the category with
    Intl.PluralRules). Not Intl.RelativeTimeFormat in the browser: its first use loads ICU's number
    data, 13 to 26 ms on the host page's main thread (bench/embed.py), where PluralRules costs 0.3 ms."""
    # Babel keeps CLDR's relative-time fields only in its locale data (format_timedelta reads them there).
    fields = Locale.parse(translation.to_locale(translation.get_language()))._data["date_fields"]
    return {
        # Translators: the widget was updated less than a minute ago ("Updated just now").
        "now": gettext("just now"),
        **{unit: dict(fields[unit]["past"]) for unit in ("minute", "hour", "day")},
    }


def updated_ago(updated_at, now):
    """ "Updated just now" / "Updated 3 minutes ago" in the active language, worded as the widget words it
    (ago_phrases: the same strings and CLDR plural rules), for pages rendered on each request."""
    seconds = max((now - updated_at).total_seconds(), 0)
    phrases = ago_phrases()
    if seconds < 60:
        when = phrases["now"]
    else:
        unit, count = next(
            (unit, int(seconds // size)) for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60))
            if seconds >= size
        )  # fmt: skip
        locale = Locale.parse(translation.to_locale(translation.get_language()))
        forms = phrases[unit]
        when = forms.get(locale.plural_form(count), forms.get("other", "{0}")).replace("{0}", str(count))
    return gettext("Updated %(when)s") % {"when": when}


def updated_text(snapshot):
    """ "Updated Nov 25, 15:32 UTC": an absolute time, because the bytes are cached and run no script."""
    when = timezone.datetime.fromisoformat(snapshot["updated_at"].replace("Z", "+00:00"))
    locale = snapshot["locale"]
    stamp = f"{format_skeleton('MMMd', when, locale=locale)}, {format_time(when, 'HH:mm', locale=locale)}"
    # Translators: %(when)s is a date and time like "Nov 25, 15:32".
    return gettext("Updated %(when)s UTC") % {"when": stamp}


def json_render(*, snapshot):
    """Compact UTF-8 JSON; <, > and & escaped so the bytes are also safe inside an HTML <script>.
    Adds "text": the snapshot's phrases in its locale's language."""
    with language_override(snapshot["locale"]):
        return json_bytes({**snapshot, "text": phrases(snapshot)})


def json_bytes(document):
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


def text_width(text, size):
    return len(text) * size * GLYPH


def truncate(text, width, size):
    limit = max(int(width / (size * GLYPH * 1.12)), 1)  # bold glyphs run wider
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def percent_text(percent, locale):
    """26.7 -> "26.7%" in en_US, "26,7 %" in fr_FR; through Decimal so no float noise shows."""
    return format_percent(Decimal(str(percent)) / 100, locale=locale, decimal_quantization=False)


def marker_labels(markers, x0, span, size):
    """x, anchor and visibility of each marker label; a label that would overlap its neighbour is
    dropped (the target's label always stays)."""
    placed, last_right = [], None
    target_left = x0 + span - text_width(markers[-1]["label"], size) if markers else x0 + span
    for index, marker in enumerate(markers):
        x = x0 + span * marker["at"] / 100
        width = text_width(marker["label"], size)
        is_first, is_last = index == 0, index == len(markers) - 1
        anchor = "start" if is_first else "end" if is_last else "middle"
        left = x if is_first else x - width if is_last else x - width / 2
        visible = is_last or (
            (last_right is None or left > last_right + 6) and (is_first or left + width < target_left - 6)
        )
        if visible:
            last_right = left + width
        placed.append({**marker, "x": round(x, 1), "anchor": anchor, "show": visible})
    return placed


# The narrowest HTML bar (px): a 360 px phone less the card's padding. Marker labels that would overlap
# there are left blank in the iframe, on the donation page and in embed.js (which repeats this rule).
NARROW = 300


def markers_labeled(milestones):
    """The milestones with "show": whether the HTML bars print the label (its tick stays either way)."""
    placed = marker_labels(milestones, 0, NARROW, 11)
    return [{**m, "show": label["show"]} for m, label in zip(milestones, placed, strict=True)]


def bar_geometry(snapshot, options, words=None):
    words = words or goal_words(snapshot)
    compact = options.layout == "compact"
    span = WIDTH - 2 * PAD
    fill = round(span * snapshot["fill"] / 100, 1)
    headline = snapshot_goal(snapshot)["formatted"]["current"]
    raised_width = text_width(headline, 14)
    # The raised amount sits under the fill's end, kept inside the card.
    raised_x = min(max(PAD + fill, PAD + raised_width / 2), WIDTH - PAD - raised_width / 2)
    month_width = text_width(snapshot["period"]["label"], 12) * 1.1
    percent = percent_text(snapshot["percent"], snapshot["locale"])
    footer = f"{percent} · {words['detail']}"
    raised_right = raised_x + raised_width / 2
    # Percent and supporters share the raised amount's row, on whichever side it leaves free.
    footer_right = raised_right + 12 < WIDTH - PAD - text_width(footer, 12)
    return {
        "width": WIDTH,
        "height": 58 if compact else 132,
        "pad": PAD,
        "right": WIDTH - PAD,
        "span": span,
        "fill": fill,
        "bar_y": 32 if compact else 62,
        "bar_h": 12 if compact else 14,
        "markers": marker_labels(snapshot["milestones"], PAD, span, 11),
        "raised_x": round(raised_x, 1),
        "raised_anchor": "middle",
        "pointer_x": round(min(max(PAD + fill, PAD + 6), WIDTH - PAD - 6), 1),
        "title": truncate(snapshot["title"], span - month_width - 16, 15),
        "percent": percent,
        "footer": footer,
        "headline": headline,
        "of": words["of"],
        "detail": words["detail"],
        "valuetext": words["valuetext"],
        "footer_x": WIDTH - PAD if footer_right else PAD,
        "footer_anchor": "end" if footer_right else "start",
        "colors": palette(options),
        "compact": compact,
    }


def svg_render(*, snapshot: Snapshot, options: WidgetOptions = DEFAULT) -> bytes:
    snapshot = snapshot_localize(snapshot=snapshot, locale=options.locale)
    with language_override(snapshot["locale"]):
        return svg_bytes(snapshot, bar_geometry(snapshot, options), updated_text(snapshot))


def svg_bytes(snapshot, geometry, updated):
    """The SVG from its geometry, in the active language."""
    context = {"snapshot": snapshot, "g": geometry, "updated": updated}
    return render_to_string("fundraising/widgets/bar.svg", context).encode()


def page_render(*, snapshot: Snapshot, options: WidgetOptions = DEFAULT, wall: Wall | None = None) -> bytes:
    """The iframe page; with options.supporters and a wall (the campaign opted in), the wall under the bar."""
    snapshot = snapshot_localize(snapshot=snapshot, locale=options.locale)
    page_wall = wall_document(snapshot=snapshot, wall=wall) if options.supporters and wall is not None else None
    with language_override(snapshot["locale"]):
        return page_bytes(snapshot, options, page_wall, updated_text(snapshot))


def page_bytes(snapshot, options, wall_document_, updated, percent=None):
    """The iframe page, in the active language."""
    context = {
        "snapshot": snapshot,
        "options": options,
        "wall": wall_document_,
        "colors": palette(options),
        "percent": percent or percent_text(snapshot["percent"], snapshot["locale"]),
        "updated": updated,
    }
    return render_to_string("fundraising/widgets/page.html", context).encode()


def defaults_render(*, snapshot: Snapshot) -> dict[str, bytes]:
    """The default JSON, SVG and page of a snapshot in one pass (what a refresh stores for every campaign it
    touches): the snapshot's language switched once, and what the formats share (the goal's phrases, the percent,
    "Updated ...") made once. The same bytes as RENDERERS[fmt](snapshot, DEFAULT) for each format."""
    with language_override(snapshot["locale"]):
        words = goal_words(snapshot)
        updated = updated_text(snapshot)
        geometry = bar_geometry(snapshot, DEFAULT, words)
        return {
            "json": json_bytes({**snapshot, "text": phrases(snapshot, words)}),
            "svg": svg_bytes(snapshot, geometry, updated),
            "html": page_bytes(snapshot, DEFAULT, None, updated, percent=geometry["percent"]),
        }


RENDERERS = {
    "json": lambda snapshot, options: json_render(snapshot=snapshot_localize(snapshot=snapshot, locale=options.locale)),
    "svg": lambda snapshot, options: svg_render(snapshot=snapshot, options=options),
    "html": lambda snapshot, options: page_render(snapshot=snapshot, options=options),
}
