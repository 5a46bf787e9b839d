"""embed.js draws with the palette of fundraising/core/palette.py, the one source of the bar's colours."""

import pytest
from django.core.management import CommandError, call_command

from fundraising.core import palette
from fundraising.widgets import embed_palette
from fundraising.widgets.embed_palette import SCRIPT, script_with_palette


def test_it_ships_the_palette_of_core():
    call_command("embed_palette", "--check")


def test_it_notices_a_colour_changed_in_one_place(monkeypatch):
    monkeypatch.setitem(palette.THEMES, "dark", {**palette.THEMES["dark"], "track": "#4b5563"})
    monkeypatch.setattr(palette, "DEFAULT_ACCENT", "2563eb")
    with pytest.raises(CommandError):
        call_command("embed_palette", "--check")
    generated = script_with_palette(SCRIPT.read_text())
    assert "--tr:#4b5563" in generated and 'accent = "2563eb";' in generated


def test_it_checks_the_served_copy_too(monkeypatch, tmp_path):
    served = tmp_path / "embed.js"
    served.write_text(embed_palette.SERVED.read_text().replace("--tr:#374151", "--tr:#4b5563"))
    monkeypatch.setattr(embed_palette, "SERVED", served)
    monkeypatch.setattr("fundraising.widgets.management.commands.embed_palette.SERVED", served)
    with pytest.raises(CommandError, match="--tr:#374151"):
        call_command("embed_palette", "--check")
