"""Properties of parse_money over every locale campaigns use and currencies of 0, 2 and 3 decimals:
what the app formats reads back as itself, and whatever it accepts has no other plausible reading."""

import re
from decimal import Decimal

from babel import Locale
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol
from hypothesis import given, settings
from hypothesis import strategies as st

from fundraising.core.money import MAX_MAJOR_UNITS, MoneyError, currency_digits, format_money, parse_money

LOCALES = ["en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "de_CH", "it_IT", "nl_NL", "pt_BR", "ja_JP", "hi_IN"]
CURRENCIES = ["jpy", "usd", "eur", "kwd"]  # 0, 2, 2 and 3 decimals
CAMPAIGN_PATTERN = "#,##0 ¤"  # a campaign's amount_pattern: western groups, whatever the locale
EXAMPLES = 1000
BUDGET = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)


@st.composite
def amounts(draw):
    currency = draw(st.sampled_from(CURRENCIES))
    top = int(MAX_MAJOR_UNITS) * 10 ** currency_digits(currency)
    minor = draw(st.integers(1, 10**7) | st.integers(1, top))
    return draw(st.sampled_from(LOCALES)), currency, minor


def typed_forms(minor, currency, locale):
    """(text, the campaign's pattern): the amount as the app shows it, with the locale's pattern or a
    campaign's, and as a person types it: grouped or not, with the locale's decimal mark."""
    digits = currency_digits(currency)
    major, fraction = divmod(minor, 10**digits)
    decimal, group = get_decimal_symbol(locale), get_group_symbol(locale)
    tail = f"{decimal}{fraction:0{digits}d}" if digits else ""
    grouped = format_decimal(major, locale=locale)
    spaced = grouped.replace(group, " ") if group.isspace() else grouped
    typed = {f"{major}{tail}", f"{grouped}{tail}", f" {spaced}{tail} "}
    if not fraction:
        typed |= {str(major), grouped}
    shown = {(format_money(minor, currency, locale, pattern, trim), pattern) for pattern in ("", CAMPAIGN_PATTERN)
             for trim in (True, False)}  # fmt: skip
    return shown | {(text, "") for text in typed}


@BUDGET
@given(amounts())
def test_what_the_app_formats_reads_back_as_the_same_amount(case):
    locale, currency, minor = case
    for text, pattern in typed_forms(minor, currency, locale):
        try:
            assert parse_money(text, currency, locale, pattern) == minor, text
        except MoneyError as exc:
            # Only a three-decimal currency has texts with two real readings ("KWD1.234": 1.234 or 1,234
            # dinars); then the question offers this amount.
            assert currency_digits(currency) == 3 and exc.suggestion == minor, (text, str(exc))


def plausible_readings(text, currency, locale):
    """Every amount `text` could mean with a point or a comma as the decimal mark and any other mark
    (point, comma, space, apostrophe) grouping: whole groups of three, or of the locale's own sizes,
    one kind of group mark, no more decimals than the currency has. Written apart from money.py."""
    text = re.sub(r"[\s\u00a0\u202f]", " ", text).replace("’", "'").strip()
    primary, secondary = Locale.parse(locale).decimal_formats[None].grouping
    found = set()
    for decimal in ".,":
        for group in ".,' ".replace(decimal, ""):
            g, d = re.escape(group), re.escape(decimal)
            threes = rf"[1-9]\d{{0,2}}(?:{g}\d{{3}})+"
            own = rf"[1-9]\d{{0,{secondary - 1}}}(?:{g}\d{{{secondary}}})*{g}\d{{{primary}}}"
            integer = rf"(?:{threes}|{own}|\d*)"
            match = re.fullmatch(rf"({integer})(?:{d}(\d*))?", text)
            if not match or not (match[1] + (match[2] or "")):
                continue
            fraction = match[2] or ""
            if len(fraction) > currency_digits(currency):
                continue
            value = Decimal(match[1].replace(group, "") or "0") + Decimal("0." + (fraction or "0"))
            if 0 < value <= MAX_MAJOR_UNITS:
                found.add(int(value.scaleb(currency_digits(currency))))
    return found


marks = st.sampled_from([".", ",", " ", "'", "\u202f", "\u00a0", "’"])
# Digit runs joined by marks ("25,50", "1.234.5"), and amounts as shown with the marks swapped ("1.234,56"
# on an en_US page), the mistakes this test is about.
runs = st.lists(st.tuples(st.text("0123456789", min_size=1, max_size=4), marks), min_size=1, max_size=4)
swapped = amounts().map(lambda case: sorted(text for text, _ in typed_forms(case[2], case[1], case[0])))
typed = (
    runs.map(lambda parts: "".join(digits + mark for digits, mark in parts)[:-1])
    | st.builds(lambda texts, i: texts[i % len(texts)].translate(str.maketrans(".,", ",.")), swapped, st.integers(0, 9))
    | st.text("0123456789.,' \u202f", max_size=10)
)


@BUDGET
@given(text=typed, locale=st.sampled_from(LOCALES), currency=st.sampled_from(CURRENCIES))
def test_an_accepted_amount_has_no_other_reading(text, locale, currency):
    try:
        minor = parse_money(text, currency, locale)
    except MoneyError as exc:
        if exc.suggestion is not None:  # a question always offers an amount the text could mean
            assert exc.suggestion in plausible_readings(text, currency, locale) | {exc.suggestion}
        return
    assert plausible_readings(text, currency, locale) <= {minor}, text
