"""The Donate button's text takes whichever of dark and white reads better on the accent (WCAG contrast),
and the site's own button and eyebrow colours pass AA."""

import re
from pathlib import Path

import pytest

from fundraising.core.palette import contrast
from fundraising.widgets.options import WidgetOptions
from fundraising.widgets.render import page_render, palette
from tests.factories import SeedCampaignFactory

SITE_CSS = Path(__file__).resolve().parents[2] / "static" / "fundraising" / "site.css"


@pytest.mark.parametrize("accent", ["16a34a", "2563eb", "f59e0b", "dc2626", "7c3aed", "0d9488", "ffffff", "000000"])
def test_it_picks_the_text_colour_with_the_better_contrast(accent):
    on_accent = palette(WidgetOptions(accent=accent))["on_accent"].lstrip("#")
    other = "ffffff" if on_accent == "111827" else "111827"
    assert contrast(accent, on_accent) >= contrast(accent, other)


def test_it_reads_the_default_green_at_aa():
    assert palette(WidgetOptions())["on_accent"] == "#111827"
    assert contrast("16a34a", "111827") >= 4.5 > contrast("16a34a", "ffffff")


def test_it_renders_the_chosen_colour_in_the_iframe(transactional_db, widget_root):
    from fundraising.widgets.services import snapshot_entry_get

    SeedCampaignFactory()
    html = page_render(snapshot=snapshot_entry_get(slug="lights")["snapshot"]).decode()
    assert re.search(r"\.donate \{[^}]*color: #111827;", html)


def test_it_gives_the_site_button_and_eyebrow_aa_contrast():
    css = SITE_CSS.read_text()
    strong = re.search(r"--accent-strong: #([0-9a-f]{6})", css).group(1)
    assert "color: #fff; background: var(--accent-strong)" in css  # .fr-button
    assert re.search(r"\.fr-eyebrow \{[^}]*color: var\(--accent-strong\)", css)
    assert contrast(strong, "ffffff") >= 4.5 and contrast(strong, "f9fafb") >= 4.5
