"""Publisher options from a pasted snippet's query: each value checked against its allow-list, refused with a
message that says what is allowed, written back canonically (the variants' cache key and the snippet's query)."""

import pytest
from django.http import QueryDict

from fundraising.widgets.options import OptionError, WidgetOptions, locale_parse, options_parse


def test_no_option_or_empty_ones_are_the_defaults():
    assert options_parse(query={}) == WidgetOptions()
    blank = options_parse(query=dict.fromkeys(("theme", "accent", "layout", "locale", "amounts", "supporters"), ""))
    assert blank.is_default
    assert options_parse(query={"utm_source": "x" * 50, "v": "3"}).is_default  # unknown ones are ignored


def test_each_option_is_read():
    query = {"theme": "dark", "accent": "#ABCDEF", "layout": "compact", "locale": "fr-fr", "amounts": "1",
             "supporters": "1"}  # fmt: skip
    assert options_parse(query=query) == WidgetOptions(
        theme="dark", accent="abcdef", layout="compact", locale="fr_FR", amounts=True, supporters=True
    )
    assert options_parse(query={"amounts": "0", "supporters": "0"}).is_default


@pytest.mark.parametrize(
    "raw, accent", [("16a34a", "16a34a"), ("#16A34A", "16a34a"), ("abc", "aabbcc"), ("#F0c", "ff00cc")]
)
def test_an_accent_is_six_lower_case_hex_digits(raw, accent):
    assert options_parse(query={"accent": raw}).accent == accent


@pytest.mark.parametrize("raw", ["16a34", "16a34a0", "##16a34a", "ggg", "red", "16a34a;", " 16a34a"])
def test_any_other_accent_is_refused(raw):
    with pytest.raises(OptionError) as refused:
        options_parse(query={"accent": raw})
    assert str(refused.value) == "accent must be a hex colour like 16a34a or #16a34a."


@pytest.mark.parametrize(
    "query, message",
    [
        ({"theme": "blue"}, "theme must be one of light, dark."),
        ({"layout": "wide"}, "layout must be one of full, compact."),
        ({"amounts": "true"}, "amounts must be one of 0, 1."),
        ({"supporters": "yes"}, "supporters must be one of 0, 1."),
        ({"locale": "xx_YY"}, "locale must be a locale code like en_US, fr_FR or de."),
    ],
)
def test_a_value_outside_its_list_is_refused_saying_what_is_allowed(query, message):
    with pytest.raises(OptionError) as refused:
        options_parse(query=query)
    assert str(refused.value) == message


@pytest.mark.parametrize("name", ["theme", "accent", "layout", "locale", "amounts", "supporters"])
def test_a_value_longer_than_20_characters_is_refused_before_it_is_read(name):
    with pytest.raises(OptionError) as refused:
        options_parse(query={name: "x" * 21})
    assert str(refused.value) == f"{name} is too long."
    with pytest.raises(OptionError) as refused:
        options_parse(query={name: "x" * 20})
    assert "too long" not in str(refused.value)


@pytest.mark.parametrize(
    "raw, locale", [("fr", "fr"), ("fr_FR", "fr_FR"), ("fr-fr", "fr_FR"), ("de_ch", "de_CH"), ("fil", "fil")]
)
def test_a_locale_is_written_the_one_way_babel_knows(raw, locale):
    assert locale_parse(raw) == locale
    assert options_parse(query={"locale": raw}).locale == locale


@pytest.mark.parametrize("raw", ["FR", "fr_FRA", "fr_F", "f", "fr__FR", "fr_FR ", "en_US.UTF-8", "xx"])
def test_a_locale_written_otherwise_or_unknown_is_refused(raw):
    with pytest.raises(OptionError, match="^locale must be a locale code like en_US, fr_FR or de.$"):
        locale_parse(raw)


def test_equal_options_have_one_key_and_each_option_changes_it():
    assert WidgetOptions().key == "light.16a34a.full.-"
    every = WidgetOptions(theme="dark", accent="abcdef", layout="compact", locale="fr_FR", amounts=True,
                          supporters=True)  # fmt: skip
    assert every.key == "dark.abcdef.compact.fr_FR.amounts.supporters"
    assert WidgetOptions(supporters=True).key == "light.16a34a.full.-.supporters"
    assert options_parse(query={"accent": "#ABC", "locale": "fr-fr"}).key == WidgetOptions(
        accent="aabbcc", locale="fr_FR"
    ).key


def test_the_query_names_only_what_differs_from_the_defaults_in_a_fixed_order():
    assert WidgetOptions().changed() == [] and WidgetOptions().query() == ""
    every = WidgetOptions(supporters=True, amounts=True, locale="de", layout="compact", accent="abcdef", theme="dark")
    assert every.changed() == [("theme", "dark"), ("accent", "abcdef"), ("layout", "compact"), ("locale", "de"),
                               ("amounts", 1), ("supporters", 1)]  # fmt: skip
    assert every.query() == "theme=dark&accent=abcdef&layout=compact&locale=de&amounts=1&supporters=1"
    assert WidgetOptions(layout="compact").query() == "layout=compact"
    assert options_parse(query=QueryDict(every.query())) == every  # the snippet's query reads back the same
