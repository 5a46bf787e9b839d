"""Typed amounts with more than one reading are asked about ("Did you mean 25.50 $?"), never rewritten."""

import pytest

from fundraising.core.money import MoneyError, parse_money

CAMPAIGN_PATTERN = "#,##0 ¤"  # the seed campaign's: "2,500 $"


@pytest.mark.parametrize(
    ("text", "currency", "locale", "question", "suggestion"),
    [
        ("25,50", "usd", "en_US", "Did you mean 25.50 $?", 2550),
        ("12,50", "usd", "en_US", "Did you mean 12.50 $?", 1250),
        ("5,00", "usd", "en_US", "Did you mean 5.00 $?", 500),
        ("2,5", "usd", "en_US", "Did you mean 2.50 $?", 250),
        ("1,23", "usd", "en_US", "Did you mean 1.23 $?", 123),
        ("25,", "usd", "en_US", "Did you mean 25.00 $?", 2500),
        ("12.500", "usd", "en_US", "Did you mean 12,500.00 $?", 1250000),  # three decimals: a German thousand
        ("1 234", "usd", "en_US", "Did you mean 1,234.00 $?", 123400),
        ("12.50", "eur", "de_DE", "Did you mean 12,50\xa0€?", 1250),
        ("1.5", "eur", "de_DE", "Did you mean 1,50\xa0€?", 150),
        ("12.50", "eur", "es_ES", "Did you mean 12,50\xa0€?", 1250),
        ("12.50", "eur", "fr_FR", "Did you mean 12,50\xa0€?", 1250),
        ("1.234", "jpy", "en_US", "Did you mean ¥1,234?", 1234),
        ("1,234,567", "inr", "hi_IN", "Did you mean ₹12,34,567.00?", 123456700),  # not where India groups
        ("1.234", "kwd", "en_US", "Did you mean KWD1.234?", 1234),  # or 1,234 dinars: both are amounts
        ("1,234", "kwd", "en_US", "Did you mean KWD1,234.000?", 1234000),
        # Neither mark is fr_FR's group: the reading with the locale's decimal mark is the one asked about.
        ("1.234", "kwd", "fr_FR", "Did you mean 1\u202f234,000\xa0KWD?", 1234000),
    ],
)
def test_it_asks_about_amounts_with_two_readings(text, currency, locale, question, suggestion):
    pattern = CAMPAIGN_PATTERN if locale == "en_US" and currency == "usd" else ""
    with pytest.raises(MoneyError) as caught:
        parse_money(text, currency, locale, pattern)
    assert str(caught.value) == question
    assert caught.value.suggestion == suggestion


@pytest.mark.parametrize(
    ("text", "currency", "locale", "minor"),
    [
        ("25", "usd", "en_US", 2500),
        ("25.50", "usd", "en_US", 2550),
        ("1,234.56", "usd", "en_US", 123456),
        ("1,234", "usd", "en_US", 123400),  # a group of three where en_US groups: 1.234 $ is no amount
        ("1,000", "usd", "en_US", 100000),
        ("1,234,567", "usd", "en_US", 123456700),
        ("$25", "usd", "en_US", 2500),  # the campaign's own symbol, at either end
        ("25 $", "usd", "en_US", 2500),
        ("USD 25", "usd", "en_US", 2500),
        ("1.234", "eur", "de_DE", 123400),
        ("1.234,56", "eur", "de_DE", 123456),
        ("12,50", "eur", "de_DE", 1250),
        ("12,50 €", "eur", "es_ES", 1250),
        ("1 234,56", "eur", "fr_FR", 123456),  # a plain space where fr_FR groups with a narrow no-break one
        ("1\u202f234,56", "eur", "fr_FR", 123456),
        ("1\t234,56", "eur", "fr_FR", 123456),  # any space, even one no normal form turns into a space
        ("1\u2028234,56", "eur", "fr_FR", 123456),
        ("1234,56", "eur", "fr_FR", 123456),
        ("  12,5  ", "eur", "fr_FR", 1250),
        ("1'234.50", "chf", "de_CH", 123450),
        ("1’234.50", "chf", "de_CH", 123450),
        ("12,34,567", "inr", "hi_IN", 123456700),
        ("1,234", "jpy", "ja_JP", 1234),
        ("１２３", "jpy", "ja_JP", 123),  # full-width digits
        ("1,234.567", "kwd", "en_US", 1234567),
        ("25.00", "jpy", "en_US", 25),
    ],
)
def test_it_takes_amounts_with_one_reading(text, currency, locale, minor):
    assert parse_money(text, currency, locale) == minor


@pytest.mark.parametrize(
    ("text", "currency", "locale", "message"),
    [
        ("1.2.3", "usd", "en_US", "Enter the amount as a number, like 25 or 25.50."),  # repeated decimal marks
        ("1,234.5,6", "usd", "en_US", "Enter the amount as a number, like 25 or 25.50."),  # mixed
        ("12,34", "usd", "en_US", "Did you mean $12.34?"),
        ("€25", "usd", "en_US", "Enter the amount as a number, like 25 or 25.50."),  # another currency's symbol
        ("25,50", "jpy", "ja_JP", "JPY amounts have no decimal places."),
    ],
)
def test_it_refuses_marks_it_cannot_read(text, currency, locale, message):
    with pytest.raises(MoneyError) as caught:
        parse_money(text, currency, locale)
    assert str(caught.value) == message


def test_a_plain_error_has_no_suggestion():
    with pytest.raises(MoneyError) as caught:
        parse_money("ten", "usd", "en_US")
    assert caught.value.suggestion is None


def test_it_asks_about_the_reading_the_campaigns_own_grouping_gives():
    # A campaign that groups by two ("#,#0.00 ¤"): "12.34" in de_DE is 1.234 grouped its way, or 12.34 read
    # as in en_US. The campaign's own reading is the one asked about.
    with pytest.raises(MoneyError) as caught:
        parse_money("12.34", "eur", "de_DE", "#,#0.00 ¤")
    assert str(caught.value) == "Did you mean 12.34,00 €?"
    assert caught.value.suggestion == 123400
