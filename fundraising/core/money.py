"""Money at the edges: parse text into integer minor units and format minor units for people."""

import functools
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_currency_precision,
    get_group_symbol,
    list_currencies,
    parse_decimal,
    parse_pattern,
)
from django.utils.translation import gettext

# Beyond this many major units an amount is a typo or an attack, whatever the currency.
MAX_MAJOR_UNITS = Decimal("100000000")


class MoneyError(ValueError):
    """Text that is not a valid amount of the given currency; the message is for the donor."""


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


def parse_money(text, currency, locale="en_US"):
    """Parse what a person typed ("1,234.5", "12,50" in fr_FR) into int minor units > 0."""
    cleaned = (text or "").strip()
    group = get_group_symbol(locale=locale)
    if group.isspace():  # people type a plain space where the locale groups with a (narrow) no-break space
        cleaned = "".join(group if ch.isspace() else ch for ch in cleaned)
    if not cleaned:
        raise MoneyError(gettext("Enter an amount."))
    if any(ch.isalpha() for ch in cleaned):
        raise MoneyError(gettext("Enter the amount as a number, like 25 or 25.50."))
    try:
        major = parse_decimal(cleaned, locale=locale, strict=True)
    except NumberFormatError as exc:
        if exc.suggestions:
            try:
                major = parse_decimal(exc.suggestions[0], locale=locale)
            except NumberFormatError:
                raise MoneyError(gettext("Enter the amount as a number, like 25 or 25.50.")) from None
        else:
            raise MoneyError(gettext("Enter the amount as a number, like 25 or 25.50.")) from None
    except (InvalidOperation, ValueError):
        raise MoneyError(gettext("Enter the amount as a number, like 25 or 25.50.")) from None
    if not major.is_finite():
        raise MoneyError(gettext("Enter the amount as a number, like 25 or 25.50."))
    if major <= 0:
        raise MoneyError(gettext("Enter an amount greater than zero."))
    if major > MAX_MAJOR_UNITS:
        raise MoneyError(gettext("That amount is too large."))
    return to_minor(major, currency)


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
