"""embed.js carries the bar's palette as literals (it loads no dictionaries); they are generated from
fundraising/core/palette.py, the one source, by `manage.py embed_palette`, and a test fails on drift."""

import re
from pathlib import Path

from django.conf import settings

from fundraising.core import palette

SCRIPT = Path(settings.BASE_DIR) / "static" / "fundraising" / "embed.js"
# The theme keys as the script's CSS custom properties.
PROPERTIES = {"bg": "--bg", "border": "--bd", "text": "--tx", "muted": "--mu", "track": "--tr"}
THEMES_RE = re.compile(r"var THEMES = \{.*?\};", re.S)
ACCENT_RE = re.compile(r'accent = "[0-9a-f]{6}";')


def short_hex(colour):
    """#ffffff -> #fff where the shorthand exists, to keep the script small."""
    digits = colour.lstrip("#")
    if len(digits) == 6 and all(digits[i] == digits[i + 1] for i in (0, 2, 4)):
        return "#" + digits[0::2]
    return colour


def themes_literal():
    lines = []
    for name, colours in palette.THEMES.items():
        value = ";".join(f"{PROPERTIES[key]}:{short_hex(colours[key])}" for key in PROPERTIES)
        lines.append(f'    {name}: "{value}"')
    return "var THEMES = {\n" + ",\n".join(lines) + "\n  };"


def script_with_palette(text):
    """The script's text with its palette literals as core/palette.py says."""
    if not THEMES_RE.search(text) or not ACCENT_RE.search(text):
        raise ValueError("embed.js has no THEMES literal or default accent to generate")
    text = THEMES_RE.sub(lambda _: themes_literal(), text, count=1)
    return ACCENT_RE.sub(f'accent = "{palette.DEFAULT_ACCENT}";', text, count=1)
