"""embed.js carries the bar's palette as literals (it loads no dictionaries); they are generated from
fundraising/core/palette.py, the one source, by `manage.py embed_palette`, and a test fails on drift.

The script's source is assets/embed.js; what /static/fundraising/embed.js serves is its minified copy
(terser, pinned in package.json, options in assets/terser.json; `make embed` rebuilds it, and
tests/widgets/test_embed_palette_script.py fails when the committed copy is not what the minifier makes of
the source)."""

import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

from fundraising.core import palette

SCRIPT = Path(settings.BASE_DIR) / "assets" / "embed.js"  # the source, edited by people and this module
SERVED = Path(settings.BASE_DIR) / "static" / "fundraising" / "embed.js"  # the minified copy publishers load
MINIFIER = Path(settings.BASE_DIR) / "node_modules" / ".bin" / "terser"
MINIFIER_CONFIG = Path(settings.BASE_DIR) / "assets" / "terser.json"
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


def palette_literals():
    """The strings the served script must contain: each theme's custom properties and the default accent."""
    return [literal.split('"')[1] for literal in themes_literal().splitlines()[1:-1]] + [palette.DEFAULT_ACCENT]


def served_palette_missing(text):
    """The palette literals the served (minified) script lacks."""
    return [literal for literal in palette_literals() if f'"{literal}"' not in text]


def embed_minify():
    """The minified script, as `make embed` writes it to SERVED; needs node and `npm ci`."""
    node = shutil.which("node")
    if node is None or not MINIFIER.exists():
        raise FileNotFoundError("node and node_modules/.bin/terser are needed: run `npm ci`")
    argv = [node, str(MINIFIER), str(SCRIPT), "--config-file", str(MINIFIER_CONFIG)]
    return subprocess.run(argv, check=True, capture_output=True, timeout=60).stdout
