"""Money at the edges: parse text into integer minor units and format minor units for people."""

import functools
import re
import unicodedata
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import (
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    list_currencies,
    parse_pattern,
)
from django.utils.html import format_html
from django.utils.translation import gettext

# Beyond this many major units an amount is a typo or an attack, whatever the currency.
MAX_MAJOR_UNITS = Decimal("100000000")


class MoneyError(ValueError):
    """Text that is not a valid amount of the given currency; the message is for the donor.

    `suggestion` is the amount in minor units we would read when the text had more than one reading
    (the message asks "Did you mean ...?"), else None."""

    suggestion = None


def currency_digits(currency):
    """How many minor-unit digits the currency has: 2 for USD, 0 for JPY, 3 for KWD."""
    return get_currency_precision(currency.upper())


def currency_is_known(currency):
    return currency.upper() in list_currencies()


def locale_is_known(locale):
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def to_minor(major, currency):
    """Decimal major units -> int minor units, refusing more precision than the currency has."""
    digits = currency_digits(currency)
    minor = major.scaleb(digits)
    if minor != minor.to_integral_value():
        if digits == 0:
            raise MoneyError(gettext("%(currency)s amounts have no decimal places.") % {"currency": currency.upper()})
        raise MoneyError(
            gettext("%(currency)s amounts have at most %(digits)s decimal places.")
            % {"currency": currency.upper(), "digits": digits}
        )
    return int(minor)


def parse_money(text, currency, locale="en_US", pattern=""):
    """Parse what a person typed ("1,234.5", "12,50" in fr_FR) into int minor units > 0.

    Only an amount with one reading is taken. When the marks could mean another amount ("25,50" in en_US:
    25.50 or 2,550?) the MoneyError asks "Did you mean 25.50 $?", formatted with `pattern`, and carries
    the reading as `suggestion`: the person confirms, nothing is rewritten silently."""
    cleaned = _typed_normalise(text, currency, locale)
    if not cleaned:
        raise MoneyError(gettext("Enter an amount."))
    if cleaned[0] in "-\u2212" and any(ch.isdigit() for ch in cleaned):
        raise MoneyError(gettext("Enter an amount greater than zero."))
    if any(ch not in "0123456789" and ch not in _MARKS for ch in cleaned):
        raise MoneyError(gettext("Enter the amount as a number, like 25 or 25.50."))
    decimal, group = (_mark_normalise(get_decimal_symbol(locale)), _mark_normalise(get_group_symbol(locale)))
    sizes = Locale.parse(locale).decimal_formats[None].grouping
    shown = parse_pattern(pattern).grouping if pattern else sizes  # the campaign's pattern may group otherwise
    own = _reading(cleaned, decimal, {group}, [sizes, shown])
    readings = {mark: _reading(cleaned, mark, groups, [(3, 3), sizes]) for mark, groups in _CONVENTIONS}
    others = {mark: r for mark, r in readings.items() if r is not None and _plausible(r, currency)}
    if own is not None and _error(own, currency) is None and all(r == own for r in others.values()):
        return to_minor(own, currency)
    if own is not None and not others:  # one reading, and it is not a valid amount: say why
        raise _error(own, currency)
    suggestion = _suggestion(own, others, decimal, currency)
    if suggestion is None:
        errors = [_error(r, currency) for r in readings.values() if r is not None]  # "25,50" for JPY: no decimals
        raise next((e for e in errors if e), MoneyError(gettext("Enter the amount as a number, like 25 or 25.50.")))
    minor = to_minor(suggestion, currency)
    error = MoneyError(
        gettext("Did you mean %(amount)s?") % {"amount": format_money(minor, currency, locale, pattern, trim=False)}
    )
    error.suggestion = minor
    raise error


def money_plain(amount, currency, locale="en_US"):
    """Minor units as a person types them into a form: major units, the locale's decimal mark, no grouping
    ("5000", "25.50", "12,50")."""
    digits = currency_digits(currency)
    major = Decimal(amount).scaleb(-digits)
    text = f"{major.quantize(Decimal(1)):f}" if amount % 10**digits == 0 else f"{major:f}"
    return text.replace(".", get_decimal_symbol(locale))


def money_typed(amount, currency, locale="en_US"):
    """Text a person can type back for `amount` and be read once: money_plain's, or the same without trailing
    zeros ("1.5" for 1.500 KWD), or with one more ("1.2340": "1.234" KWD may be 1,234, four decimals cannot
    be a group), or None."""
    plain = money_plain(amount, currency, locale)
    decimal = get_decimal_symbol(locale)
    short = plain.rstrip("0").rstrip(decimal) if decimal in plain else plain
    longer = plain + "0" if decimal in plain else plain
    for text in dict.fromkeys((plain, short, longer)):
        try:
            if parse_money(text, currency, locale) == amount:
                return text
        except MoneyError:
            continue
    return None


def suggestion_choice(error, typed, answer):
    """The question of `error` with a button that replaces what was typed (`typed`) by `answer` in its field
    (static/fundraising/admin-suggest.js), for forms where a person types money: the admin's one click."""
    if answer is None:
        return str(error)
    return format_html(
        '{} <button type="button" class="button fr-suggest" data-from="{}" data-to="{}">{}</button>',
        str(error), typed.strip(), answer, gettext("Use %(amount)s") % {"amount": answer},
    )


def command_question(error, currency, locale):
    """A MoneyError for the command line: the question and, when it has one, the exact text to run again
    with (the terminal's one click)."""
    answer = money_typed(error.suggestion, currency, locale) if error.suggestion is not None else None
    return f"{error} Run it again with {answer}." if answer else str(error)


# The marks people type between digits, after _mark_normalise: no-break spaces become spaces and
# typographic apostrophes (de_CH groups with U+2019) become "'".
_MARKS = ".,' "
# How people anywhere may have meant their marks: a point or a comma for the decimal, the rest for groups.
_CONVENTIONS = ((".", {",", " ", "'"}), (",", {".", " ", "'"}))


def _mark_normalise(text):
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    return re.sub(r"\s", " ", text)


def _typed_normalise(text, currency, locale):
    """Full-width digits, any space, the campaign's own currency symbol or code (at either end) dealt with."""
    cleaned = _mark_normalise(text or "").strip()
    for sign in (_mark_normalise(get_currency_symbol(currency.upper(), locale=locale)), currency.upper()):
        if cleaned.upper().startswith(sign.upper()):
            cleaned = cleaned[len(sign) :].strip()
        elif cleaned.upper().endswith(sign.upper()):
            cleaned = cleaned[: -len(sign)].strip()
    return cleaned


def _reading(text, decimal, groups, sizes_allowed):
    """The Decimal `text` means with `decimal` as decimal mark and `groups` as group marks, or None when it
    cannot mean anything that way (a mark of neither kind, two decimal marks, groups out of place)."""
    if any(ch not in "0123456789" and ch != decimal and ch not in groups for ch in text):
        return None
    integer, _, fraction = text.partition(decimal)
    if fraction and not fraction.isdigit() or not (integer + fraction).strip(".,' "):
        return None
    runs = re.split("|".join(re.escape(g) for g in groups), integer)
    if len(runs) > 1 and not _grouped(integer, runs, sizes_allowed):
        return None
    if integer and not runs[0].isdigit():
        return None
    # Built from the typed digits, so "1.000" keeps its three decimals (see _plausible).
    return Decimal("".join(runs) + ("." + fraction if fraction else ""))


def _grouped(integer, runs, sizes_allowed):
    """Group marks where the locale puts them: one kind of mark, every group full, no leading zero."""
    if len({ch for ch in integer if not ch.isdigit()}) != 1 or not runs[0] or runs[0][0] == "0":
        return False
    for primary, secondary in sizes_allowed:
        tail = [len(run) for run in runs[1:]]
        if tail[-1] == primary and all(size == secondary for size in tail[:-1]) and len(runs[0]) <= secondary:
            return True
    return False


def _plausible(major, currency):
    """A reading someone might have meant: no more decimals than the currency has, within range."""
    return _error(major, currency) is None and -major.as_tuple().exponent <= currency_digits(currency)


def _error(major, currency):
    if major <= 0:
        return MoneyError(gettext("Enter an amount greater than zero."))
    if major > MAX_MAJOR_UNITS:
        return MoneyError(gettext("That amount is too large."))
    try:
        to_minor(major, currency)
    except MoneyError as exc:
        return exc
    return None


def _suggestion(own, others, decimal, currency):
    """The reading we would take: the locale's own when it is a likely amount, else the likeliest other."""
    if own is not None and _plausible(own, currency):
        return own
    return others.get(decimal) or next(iter(others.values()), None)


def format_money(amount, currency, locale="en_US", pattern="", trim=True):
    """Format int minor units. `pattern` is a Babel/CLDR pattern like "#,##0 ¤" ("2,500 $");
    empty means the locale's own. With `trim`, whole amounts drop their zero minor digits."""
    if not isinstance(amount, int):
        raise TypeError("money amounts are int minor units")
    return _money_format(int(amount), currency, locale, pattern, trim)


# Widgets format the same targets, milestones and presets again on every render (and a new month's 0):
# the result depends on the arguments alone, so recent ones are kept.
@functools.lru_cache(maxsize=4096)
def _money_format(amount, currency, locale, pattern, trim):
    digits = currency_digits(currency)
    major = Decimal(amount).scaleb(-digits)
    babel_locale = Locale.parse(locale)
    number_pattern = parse_pattern(pattern) if pattern else babel_locale.currency_formats["standard"]
    fraction = 0 if trim and amount % (10**digits) == 0 else digits
    number_pattern = _with_fraction_digits(number_pattern, fraction)
    return number_pattern.apply(major, babel_locale, currency=currency.upper(), currency_digits=False)


def _with_fraction_digits(pattern, digits):
    copy = parse_pattern(pattern.pattern)
    copy.frac_prec = (digits, digits)
    return copy


def format_count(value, locale="en_US"):
    """A whole number of people for display: "1,234" in en_US, "1 234" in fr_FR."""
    return format_decimal(value, locale=locale)


def format_month(day, locale="en_US"):
    """The period label of the seed: "JUNE 2023" (stand-alone month name, upper case)."""
    return format_date(day, "LLLL yyyy", locale=locale).upper()
