"""The SVG's title is cut to what fits beside the month (render.truncate): with 15 px bold glyphs about
10 px wide, a title that fits stays whole, one that does not ends in "…", and even no room leaves "…"."""

from fundraising.widgets.render import truncate

TITLE = "Keep the lights on"  # 18 characters


def test_a_title_that_fits_exactly_stays_whole():
    assert truncate(TITLE, 18 * 15 * 0.6 * 1.12 + 0.01, 15) == TITLE


def test_a_title_too_long_is_cut_to_the_room_ellipsis_included():
    assert truncate(TITLE, 16 * 15 * 0.6 * 1.12 + 0.01, 15) == "Keep the lights…"  # 16 characters
    assert truncate(TITLE, 17 * 15 * 0.6 * 1.12 + 0.01, 15) == "Keep the lights…"  # no space before "…"
    assert truncate(TITLE, 11 * 15 * 0.6 * 1.12 + 0.01, 15) == "Keep the l…"


def test_no_room_leaves_only_the_ellipsis():
    assert truncate(TITLE, 5, 15) == "…"
