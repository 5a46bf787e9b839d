"""Which language a campaign speaks: its locale (fr_FR, de, pt-BR) decides, never the visitor's browser."""

from django.conf import settings
from django.utils import translation


def locale_language(locale):
    """The language part of a locale, lower case: "fr_FR" -> "fr", "pt-BR" -> "pt", "" -> ""."""
    return (locale or "").replace("-", "_").split("_")[0].lower()


def language_override(locale):
    """Activate the catalogue of a locale's language (fr_FR -> fr) for one render; English when
    we ship none. Per render, never per request: widget bytes must not vary by Accept-Language."""
    language = locale_language(locale)
    known = {code for code, _ in settings.LANGUAGES}
    return translation.override(language if language in known else "en")
