"""Parsing and formatting integer minor units per currency and locale."""

import datetime

import pytest

from fundraising.core.money import (
    MoneyError,
    command_question,
    format_count,
    format_money,
    format_month,
    money_typed,
    parse_money,
    suggestion_choice,
)


@pytest.mark.parametrize(
    ("text", "currency", "locale", "minor"),
    [
        ("25", "usd", "en_US", 2500),
        ("25.5", "usd", "en_US", 2550),
        ("1,234.56", "usd", "en_US", 123456),
        (" 10 ", "usd", "en_US", 1000),
        ("1000", "jpy", "ja_JP", 1000),
        ("1.2", "kwd", "en_US", 1200),
        ("12,50", "eur", "fr_FR", 1250),
        ("1\u202f234,50", "eur", "fr_FR", 123450),
    ],
)
def test_it_parses_amounts_into_minor_units(text, currency, locale, minor):
    assert parse_money(text, currency, locale) == minor


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        ("", "usd", "Enter an amount."),
        ("ten", "usd", "Enter the amount as a number, like 25 or 25.50."),
        ("1e3", "usd", "Enter the amount as a number, like 25 or 25.50."),
        ("X25", "usd", "Enter the amount as a number, like 25 or 25.50."),  # only a minus sign means "negative"
        ("-5", "usd", "Enter an amount greater than zero."),
        ("0", "usd", "Enter an amount greater than zero."),
        ("0.001", "usd", "USD amounts have at most 2 decimal places."),
        ("10.5", "jpy", "JPY amounts have no decimal places."),
        ("1.2345", "kwd", "KWD amounts have at most 3 decimal places."),
        ("99999999999999999999", "usd", "That amount is too large."),
        ("NaN", "usd", "Enter the amount as a number, like 25 or 25.50."),
    ],
)
def test_it_rejects_bad_amounts_with_a_clear_message(text, currency, message):
    # The whole message: it is also the key of its translations, so a changed word loses them.
    with pytest.raises(MoneyError) as caught:
        parse_money(text, currency)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "pattern", "text"),
    [
        (250000, "usd", "en_US", "#,##0 ¤", "2,500 $"),
        (10000, "usd", "en_US", "#,##0 ¤", "100 $"),
        (0, "usd", "en_US", "#,##0 ¤", "0 $"),
        (10050, "usd", "en_US", "#,##0 ¤", "100.50 $"),
        (123456, "usd", "en_US", "", "$1,234.56"),
        (1234, "jpy", "ja_JP", "", "￥1,234"),
        (1234567, "kwd", "en_US", "", "KWD1,234.567"),
        (1234000, "kwd", "en_US", "", "KWD1,234"),
        (123456, "eur", "fr_FR", "", "1\u202f234,56\u00a0€"),
    ],
)
def test_it_formats_minor_units(amount, currency, locale, pattern, text):
    assert format_money(amount, currency, locale, pattern) == text


def test_it_refuses_floats():
    with pytest.raises(TypeError):
        format_money(12.5, "usd")


def test_it_labels_months_like_the_seed():
    assert format_month(datetime.date(2023, 6, 1)) == "JUNE 2023"
    assert format_month(datetime.date(2026, 11, 1), "fr_FR") == "NOVEMBRE 2026"
    # The calendar year: in de_DE the week of 1 January 2022 (a Saturday) belongs to 2021.
    assert format_month(datetime.date(2022, 1, 1), "de_DE") == "JANUAR 2022"


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "typed"),
    [
        (2550, "usd", "en_US", "25.50"),
        (500000, "usd", "en_US", "5000"),
        (1250, "eur", "de_DE", "12,50"),
        (1500, "jpy", "ja_JP", "1500"),
        (1234, "kwd", "en_US", "1.2340"),  # "1.234" could be 1,234 KWD; four decimals cannot be a group
        (1234, "kwd", "de_DE", "1,2340"),
        (1500, "kwd", "en_US", "1.5"),
    ],
)
def test_it_gives_the_text_that_reads_back_to_the_amount(amount, currency, locale, typed):
    assert money_typed(amount, currency, locale) == typed
    if typed is not None:
        assert parse_money(typed, currency, locale) == amount


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [(1500, "kwd", "KWD1.500"), (1, "kwd", "KWD0.001"), (1000, "kwd", "KWD1"), (2050, "bhd", "BHD2.050")],
)
def test_it_formats_three_decimal_currencies_exactly(amount, currency, text):
    # 1500 fils are 1.500 KWD: a whole-hundred amount is whole only in two-decimal currencies.
    assert format_money(amount, currency) == text
    assert format_money(amount, currency, trim=False) == text if amount % 1000 else text + ".000"


def test_it_formats_counts_of_people_in_the_locale():
    assert format_count(1234) == "1,234"
    assert format_count(1234, "fr_FR") == "1\u202f234"


def test_the_plain_helpers_default_to_en_us():
    assert money_typed(2550, "usd") == "25.50"


def test_the_command_line_question_gives_the_text_to_run_again_with():
    with pytest.raises(MoneyError) as caught:
        parse_money("12.50", "eur", "de_DE")
    assert command_question(caught.value, "eur", "de_DE") == "Did you mean 12,50\xa0€? Run it again with 12,50."
    plain = MoneyError("Enter an amount.")
    assert command_question(plain, "eur", "de_DE") == "Enter an amount."
    assert suggestion_choice(plain, "ten", None) == "Enter an amount."
