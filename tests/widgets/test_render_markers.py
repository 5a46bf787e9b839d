"""Which milestone labels the HTML bars print (render.markers_labeled; embed.js repeats the rule): on a
300 px bar with 11 px labels, a label that would come within 6 px of its neighbour or of the target's
label is left blank. The first and the target's always show."""

import pytest

from fundraising.widgets.render import markers_labeled


def milestones(*ats):
    labels = ["0 $", *[f"{at * 50:,} $" for at in ats], "5,000 $"]
    return [{"label": label, "at": at} for label, at in zip(labels, [0, *ats, 100], strict=True)]


@pytest.mark.parametrize(
    ("ats", "shown"),
    [
        ((50,), [True, True, True]),
        # "3,700 $" ends 23.1 px right of 222 px: 4.5 px short of the 6 px before "5,000 $" starts at 253.8 px
        ((74,), [True, True, True]),
        ((76,), [True, False, True]),  # 228 px: too close to the target's label
        ((15,), [True, True, True]),
        ((5,), [True, False, True]),  # too close to "0 $"
        ((12,), [True, False, True]),  # "600 $" (centred on 36 px) would begin where "0 $" ends
        ((40, 45), [True, True, False, True]),  # the second of two close ones gives way
    ],
)
def test_it_blanks_a_label_that_would_touch_its_neighbour(ats, shown):
    assert [m["show"] for m in markers_labeled(milestones(*ats))] == shown


def test_it_keeps_every_milestones_own_fields():
    marked = markers_labeled([{"label": "0 $", "at": 0.0, "amount": 0, "name": "", "reached": True}])
    assert marked == [{"label": "0 $", "at": 0.0, "amount": 0, "name": "", "reached": True, "show": True}]


def test_the_room_before_the_target_is_measured_by_the_targets_own_label():
    """A short label at 80 % (240 px) would end at 256.5 px, within 6 px of where "5,000 $" (46.2 px) begins."""
    marks = [{"label": "0 $", "at": 0}, {"label": "500 $", "at": 80}, {"label": "5,000 $", "at": 100}]
    assert [m["show"] for m in markers_labeled(marks)] == [True, False, True]
    marks[2]["label"] = "5 k"  # a short target label leaves the room
    assert [m["show"] for m in markers_labeled(marks)] == [True, True, True]


def test_six_pixels_before_the_targets_label_are_enough():
    """ "3,730 $" at 74.6 % ends 6.9 px before "5,000 $" begins: it shows."""
    marks = [{"label": "0 $", "at": 0}, {"label": "3,730 $", "at": 74.6}, {"label": "5,000 $", "at": 100}]
    assert [m["show"] for m in markers_labeled(marks)] == [True, True, True]


def test_six_pixels_after_its_neighbour_are_enough():
    """ "600 $" at 14.4 % begins 6.9 px after "0 $" ends: more than the 6 px it needs, so it shows."""
    marks = [{"label": "0 $", "at": 0}, {"label": "600 $", "at": 14.4}, {"label": "5,000 $", "at": 100}]
    assert [m["show"] for m in markers_labeled(marks)] == [True, True, True]
