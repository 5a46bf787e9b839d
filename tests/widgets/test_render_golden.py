"""The widget renderers' exact output for fixed snapshots, compared with files in tests/golden/widgets/: the
bar's geometry, its texts in three languages and three goal kinds, the compact and dark variants, the iframe
page with a supporters wall, and the JSON. Any change to what publishers' readers see shows up here as a
diff to look at (in a browser: the .svg and .html files open as they are).

After a deliberate change, write the files again and review the diff:
    GOLDEN_UPDATE=1 .venv/bin/pytest tests/widgets/test_render_golden.py
"""

import os
from pathlib import Path

import pytest

from fundraising.widgets.options import WidgetOptions
from fundraising.widgets.render import json_render, page_render, svg_render

GOLDEN = Path(__file__).parent.parent / "golden" / "widgets"


def snapshot(**changes):
    """A campaign's snapshot as the pipeline builds it (fundraising/widgets/snapshots.py), fixed in time."""
    base = {
        "campaign": "lights",
        "title": "Keep the lights on",
        "url": "https://give.example.org/c/lights/",
        "currency": "usd",
        "period": {"start": "2026-11-01", "end": "2026-11-30", "label": "NOVEMBER 2026"},
        "raised": 137550,
        "target": 500000,
        "percent": 27.5,
        "donors": 41,
        "goal": {
            "kind": "amount",
            "current": 137550,
            "target": 500000,
            "formatted": {"current": "1,375.50 $", "target": "5,000 $"},
        },  # fmt: skip
        "milestones": [
            {"amount": 0, "label": "0 $", "name": "", "reached": True, "at": 0.0},
            {"amount": 125000, "label": "1,250 $", "name": "Domain", "reached": True, "at": 25.0},
            {"amount": 250000, "label": "2,500 $", "name": "Servers paid", "reached": False, "at": 50.0},
            {"amount": 500000, "label": "5,000 $", "name": "", "reached": False, "at": 100.0},
        ],
        "formatted": {"raised": "1,375.50 $", "target": "5,000 $"},
        "presets": [{"amount": 1000, "label": "10 $"}, {"amount": 2500, "label": "25 $"}],
        "updated_at": "2026-11-25T15:32:40Z",
        "fill": 27.51,
        "locale": "en_US",
        "amount_pattern": "",
        "period_closes_at": "2026-12-01T05:00:00Z",
    }
    return {**base, **changes}


SUPPORTERS_GOAL = {
    "title": "Ein sehr langer Titel für eine Kampagne, der nicht in eine Zeile passt <b>&</b>",
    "locale": "de_DE",
    "currency": "eur",
    "raised": 48000,
    "target": None,
    "percent": 92.0,
    "donors": 46,
    "fill": 92.0,
    "goal": {"kind": "supporters", "current": 46, "target": 50, "formatted": {"current": "46", "target": "50"}},
    "milestones": [
        {"amount": 0, "label": "0", "name": "", "reached": True, "at": 0.0},
        {"amount": 45, "label": "45", "name": "Fast", "reached": True, "at": 90.0},
        {"amount": 48, "label": "48", "name": "", "reached": False, "at": 96.0},
        {"amount": 50, "label": "50", "name": "", "reached": False, "at": 100.0},
    ],
    "formatted": {"raised": "480,00 €", "target": None},
    "period": {"start": "2026-11-01", "end": "2026-11-30", "label": "NOVEMBER 2026"},
}
RECURRING_GOAL = {
    "percent": 130.0,
    "fill": 100.0,
    "donors": 1,
    "goal": {
        "kind": "recurring",
        "current": 65000,
        "target": 50000,
        "formatted": {"current": "650 $", "target": "500 $"},
    },  # fmt: skip
    "milestones": [
        {"amount": 0, "label": "0 $", "name": "", "reached": True, "at": 0.0},
        {"amount": 50000, "label": "500 $", "name": "", "reached": True, "at": 100.0},
    ],
}
WALL = {
    "amounts": True,
    "gifts": [
        {
            "name": "Ada <script>",
            "message": "For the servers & the people",
            "amount": 2500,
            "date": "2026-11-24",
            "kind": "monthly",
        },  # fmt: skip
        {"name": None, "message": None, "amount": 1000, "date": "2026-11-02", "kind": "one_time"},
    ],
}

CASES = {
    "amount.svg": lambda: svg_render(snapshot=snapshot()),
    "amount-compact-dark-fr.svg": lambda: svg_render(
        snapshot=snapshot(), options=WidgetOptions(layout="compact", theme="dark", accent="f59e0b", locale="fr_FR")
    ),
    "supporters-de.svg": lambda: svg_render(snapshot=snapshot(**SUPPORTERS_GOAL)),
    "recurring.svg": lambda: svg_render(snapshot=snapshot(**RECURRING_GOAL)),
    "start-of-month.svg": lambda: svg_render(
        snapshot=snapshot(
            raised=0,
            percent=0.0,
            fill=0.0,
            donors=0,
            goal={
                "kind": "amount",
                "current": 0,
                "target": 500000,
                "formatted": {"current": "0 $", "target": "5,000 $"},
            },
        )  # fmt: skip
    ),
    # The raised amount just far enough right that "61% · 41 supporters" moves under the title's side,
    # and a title cut inside a word.
    "past-halfway.svg": lambda: svg_render(
        snapshot=snapshot(
            title="Keep the lights on for the whole association, every month",
            raised=305000,
            percent=61.0,
            fill=61.0,
            goal={
                "kind": "amount",
                "current": 305000,
                "target": 500000,
                "formatted": {"current": "3,050 $", "target": "5,000 $"},
            },
            formatted={"raised": "3,050 $", "target": "5,000 $"},
        )
    ),
    # A milestone label 3 px clear of the 6 px before the target's label, measured at the labels' 11 px
    # (at 12 px it would be left blank).
    "late-milestone.svg": lambda: svg_render(
        snapshot=snapshot(
            milestones=[
                {"amount": 0, "label": "0 $", "name": "", "reached": True, "at": 0.0},
                {"amount": 411000, "label": "4,110 $", "name": "Almost", "reached": False, "at": 82.2},
                {"amount": 500000, "label": "5,000 $", "name": "", "reached": False, "at": 100.0},
            ],
        )
    ),
    # A 12-letter month leaves room for exactly 33 title characters: this 33-character title is not cut.
    "title-just-fits.svg": lambda: svg_render(
        snapshot=snapshot(
            title="Keep the lights on for all of us!",
            period={"start": "2026-10-01", "end": "2026-10-31", "label": "OCTOBER 2026"},
        )
    ),
    # Just over 12 px between the raised amount and "53.7% · 41 supporters": the footer stays on the right.
    "just-room.svg": lambda: svg_render(
        snapshot=snapshot(
            raised=268500,
            percent=53.7,
            fill=53.7,
            goal={
                "kind": "amount",
                "current": 268500,
                "target": 500000,
                "formatted": {"current": "2,685.00 $", "target": "5,000 $"},
            },
            formatted={"raised": "2,685.00 $", "target": "5,000 $"},
        )
    ),
    "amount.html": lambda: page_render(snapshot=snapshot()),
    "amount-compact-dark-fr.html": lambda: page_render(
        snapshot=snapshot(), options=WidgetOptions(layout="compact", theme="dark", accent="f59e0b", locale="fr_FR")
    ),
    "supporters-de-wall.html": lambda: page_render(
        snapshot=snapshot(**SUPPORTERS_GOAL), options=WidgetOptions(supporters=True, amounts=True), wall=WALL
    ),
    "recurring.html": lambda: page_render(snapshot=snapshot(**RECURRING_GOAL)),
    "amount.json": lambda: json_render(snapshot=snapshot()),
    "supporters-de.json": lambda: json_render(snapshot=snapshot(**SUPPORTERS_GOAL)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_widget_is_drawn_as_before(name, settings):
    settings.STATIC_URL = "/static/"
    body = CASES[name]().decode()
    path = GOLDEN / name
    if os.environ.get("GOLDEN_UPDATE"):
        path.write_text(body)
    assert body == path.read_text(), f"{name} changed; if on purpose: GOLDEN_UPDATE=1 and review the diff"
