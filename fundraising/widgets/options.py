"""Publisher options for a widget (theme, accent, layout, locale, amounts, supporters): parsed against allow-lists.

A known option with a bad value is refused with a message that says what is allowed (400), so a
typo in a pasted snippet shows up at once instead of silently rendering the defaults. Unknown
query parameters (cache busters, trackers added by link shorteners) are ignored and do not
enter the cache key.
"""

import re
from dataclasses import dataclass

from fundraising.core import money, palette

THEMES = tuple(palette.THEMES)
LAYOUTS = ("full", "compact")
SWITCHES = ("0", "1")
NAMES = ("theme", "accent", "layout", "locale", "amounts", "supporters")
ACCENT_RE = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
LOCALE_RE = re.compile(r"^([a-z]{2,3})(?:[_-]([A-Za-z]{2}))?$")


class OptionError(ValueError):
    """A widget option outside its allow-list; the message is for the publisher."""


@dataclass(frozen=True)
class WidgetOptions:
    theme: str = palette.DEFAULT_THEME
    accent: str = palette.DEFAULT_ACCENT
    layout: str = "full"
    locale: str = ""  # empty: the campaign's own
    amounts: bool = False  # the campaign's preset amounts and one-time/monthly, each a link to give
    supporters: bool = False  # the supporters wall under the bar, when the campaign publishes one

    @property
    def is_default(self):
        return self == WidgetOptions()

    @property
    def key(self):
        """Canonical text for cache keys: equal options, equal key."""
        key = f"{self.theme}.{self.accent}.{self.layout}.{self.locale or '-'}"
        return key + (".amounts" if self.amounts else "") + (".supporters" if self.supporters else "")

    def changed(self):
        """(name, value) of each option that differs from the default, in a stable order."""
        pairs = [(name, getattr(self, name)) for name in NAMES]
        return [(name, int(value) if value is True else value) for name, value in pairs
                if value != getattr(WidgetOptions, name)]

    def query(self):
        """The query string that asks for these options (defaults left out)."""
        return "&".join(f"{name}={value}" for name, value in self.changed())


def _choice(name, raw, allowed):
    if raw not in allowed:
        raise OptionError(f"{name} must be one of {', '.join(allowed)}.")
    return raw


def _accent(raw):
    match = ACCENT_RE.match(raw)
    if not match:
        raise OptionError("accent must be a hex colour like 16a34a or #16a34a.")
    digits = match.group(1).lower()
    return digits if len(digits) == 6 else "".join(c * 2 for c in digits)


def locale_parse(raw):
    """A locale code from a query ("fr", "fr_FR", "fr-fr"), as the widgets and the donation page accept it."""
    match = LOCALE_RE.match(raw)
    locale = match and (match.group(1) + (f"_{match.group(2).upper()}" if match.group(2) else ""))
    if not locale or not money.locale_is_known(locale):
        raise OptionError("locale must be a locale code like en_US, fr_FR or de.")
    return locale


def options_parse(*, query):
    """WidgetOptions from a QueryDict or dict of strings; raises OptionError on a bad value."""
    values = {}
    for name in NAMES:
        raw = query.get(name)
        if raw is None or raw == "":
            continue
        if len(raw) > 20:
            raise OptionError(f"{name} is too long.")
        if name == "theme":
            values[name] = _choice(name, raw, THEMES)
        elif name == "layout":
            values[name] = _choice(name, raw, LAYOUTS)
        elif name == "accent":
            values[name] = _accent(raw)
        elif name in ("amounts", "supporters"):
            values[name] = _choice(name, raw, SWITCHES) == "1"
        else:
            values[name] = locale_parse(raw)
    return WidgetOptions(**values)
