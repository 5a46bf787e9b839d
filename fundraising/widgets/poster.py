"""A campaign's printable poster: the bar, the month and a QR code to the donation page, on one A4 or Letter
page in the campaign's language, for events and shop counters."""

import functools

import segno
from babel import Locale
from django.conf import settings
from django.template.loader import render_to_string

from fundraising.core.language import language_override, locale_language

PAPERS = ("a4", "letter")
# Where paper is Letter-sized by default (elsewhere A4).
LETTER_TERRITORIES = {"US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "CR", "PR"}


def paper_default(locale):
    return "letter" if Locale.parse(locale).territory in LETTER_TERRITORIES else "a4"


@functools.lru_cache(maxsize=256)  # pure in its URL: anonymous requests never redraw one (bounded per process)
def qr_svg(url):
    """The QR code of `url` as inline SVG that scales with its box (error correction M, quiet zone of 4)."""
    return segno.make(url, error="m", micro=False).svg_inline(omitsize=True, border=4, dark="#000", light="#fff")


def poster_render(*, entry, paper=""):
    """HTML of the poster from a widget snapshot entry (widgets.services.snapshot_entry_get)."""
    snapshot = entry["snapshot"]
    locale = snapshot["locale"]
    paper = paper if paper in PAPERS else paper_default(locale)
    with language_override(locale):
        return render_to_string(
            "fundraising/widgets/poster.html",
            {
                "snapshot": snapshot,
                "language": locale_language(locale),
                "paper": paper,
                "bar": entry["renditions"]["svg"][0].decode(),
                "qr": qr_svg(snapshot["url"]),
                "site": settings.SITE_URL,
            },
        )
