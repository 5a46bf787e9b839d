"""The bar's colours, defined once: the widgets (SVG, iframe page, embed.js) and the admin's
campaign list all draw with these."""

THEMES = {
    "light": {"bg": "#ffffff", "border": "#e5e7eb", "text": "#111827", "muted": "#6b7280", "track": "#e5e7eb"},
    "dark": {"bg": "#111827", "border": "#374151", "text": "#f9fafb", "muted": "#9ca3af", "track": "#374151"},
}
DEFAULT_THEME = "light"
# Six hex digits, no "#": the form widget options and data attributes take.
DEFAULT_ACCENT = "16a34a"
DARK_TEXT, LIGHT_TEXT = "#111827", "#ffffff"


def relative_luminance(hex_colour):
    """WCAG 2.1 relative luminance of "16a34a" or "#16a34a"."""
    digits = hex_colour.lstrip("#")
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second):
    """WCAG 2.1 contrast ratio of two colours, 1 to 21."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def on_accent(accent):
    """Dark or white text, whichever has the better WCAG contrast on the accent (white on the default
    green is 3.3:1, dark 5.4:1)."""
    return DARK_TEXT if contrast(accent, DARK_TEXT) >= contrast(accent, LIGHT_TEXT) else LIGHT_TEXT


def palette(*, theme=DEFAULT_THEME, accent=DEFAULT_ACCENT):
    """Theme colours plus the accent and the text colour for it."""
    return {**THEMES[theme], "accent": f"#{accent}", "on_accent": on_accent(accent)}
