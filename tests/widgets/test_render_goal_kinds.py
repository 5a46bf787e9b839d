"""Each goal kind (amount, monthly supporters, monthly recurring total) in each widget format and language."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.db import transaction
from django.utils.html import escape

from fundraising.campaigns.services import period_for
from fundraising.ledger.services import ledger_changed
from tests.factories import CampaignFactory, MilestoneFactory
from tests.goal_kinds import SETUPS, monthly_supporters

NS = "{http://www.w3.org/2000/svg}"
LOCALES = ["en_US", "fr_FR", "de_DE", "es_ES"]
# What follows the headline figure, per kind and language ({target} is the document's formatted target).
OF = {
    "amount": {"en_US": "of {target}", "fr_FR": "sur {target}", "de_DE": "von {target}", "es_ES": "de {target}"},
    "supporters": {
        "en_US": "of {target} monthly supporters",
        "fr_FR": "sur {target} soutiens mensuels",
        "de_DE": "von {target} monatlichen Unterstützern",
        "es_ES": "de {target} donantes mensuales",
    },
    "recurring": {
        "en_US": "of {target} per month",
        "fr_FR": "sur {target} par mois",
        "de_DE": "von {target} pro Monat",
        "es_ES": "de {target} al mes",
    },
}


@pytest.fixture
def campaigns(transactional_db, widget_root):
    return {
        kind: CampaignFactory(slug=kind, goal_kind=kind, monthly_target=target, gifts=gifts)
        for kind, (target, gifts, _) in SETUPS.items()
    }


def svg_texts(body):
    tree = ET.fromstring(body)
    return tree, [("".join(node.itertext())).strip() for node in tree.iter(f"{NS}text")]


@pytest.mark.parametrize("locale", LOCALES)
def test_it_shows_each_goal_in_its_unit_in_each_format(client, campaigns, locale):
    for kind, (target, _, current) in SETUPS.items():
        document = json.loads(client.get(f"/w/{kind}.json?locale={locale}").content)
        goal = document["goal"]
        assert (goal["kind"], goal["current"], goal["target"]) == (kind, current, target), kind
        assert document["percent"] == round(current * 100 / target, 1)
        of = OF[kind][locale].format(target=goal["formatted"]["target"])
        assert document["text"]["of"] == of, (kind, locale)
        assert document["text"]["valuetext"].startswith(goal["formatted"]["current"])
        # The money fields keep their meaning whatever the goal.
        assert document["raised"] == sum(g["amount"] for g in SETUPS[kind][1])
        assert document["target"] == (target if kind == "amount" else None)

        tree, texts = svg_texts(client.get(f"/w/{kind}.svg?locale={locale}").content)
        assert goal["formatted"]["current"] in texts, (kind, locale, texts)
        assert tree.find(f"{NS}title").text.endswith(document["text"]["valuetext"])
        compact = client.get(f"/w/{kind}.svg?locale={locale}&layout=compact").content.decode()
        assert f" {escape(of)} · " in compact and escape(goal["formatted"]["current"]) in compact

        page = client.get(f"/w/{kind}/?locale={locale}").content.decode()
        assert f"{goal['formatted']['current']} <span>{of} · " in page, (kind, locale)
        assert f'aria-valuenow="{current}"' in page and f'aria-valuemax="{target}"' in page


def test_it_says_37_of_50_monthly_supporters(client, campaigns):
    document = json.loads(client.get("/w/supporters.json").content)
    assert document["goal"]["formatted"] == {"current": "37", "target": "50"}
    assert document["text"]["valuetext"].startswith("37 of 50 monthly supporters in ")
    assert document["text"]["detail"] == "460 $ raised"  # 37 × 10 $ monthly + one 90 $ gift
    _, texts = svg_texts(client.get("/w/supporters.svg").content)
    assert "74% · 460 $ raised" in texts


def test_it_puts_milestones_in_the_goals_unit(client, transactional_db, widget_root):
    target, gifts, _ = SETUPS["supporters"]
    campaign = CampaignFactory(slug="club", goal_kind="supporters", monthly_target=target, gifts=gifts)
    MilestoneFactory(campaign=campaign, amount=25, label="Quarter")
    ledger_changed_now(campaign)
    document = json.loads(client.get("/w/club.json").content)
    assert [(m["amount"], m["label"], m["reached"]) for m in document["milestones"]] == [
        (0, "0", True),
        (25, "25", True),
        (50, "50", False),
    ]


def ledger_changed_now(campaign):
    from fundraising.campaigns.services import campaign_sync_open_period

    campaign_sync_open_period(campaign=campaign)
    with transaction.atomic():
        ledger_changed(period_id=period_for(campaign=campaign).pk)


def test_it_fills_the_bar_and_keeps_the_percent_honest_past_the_target(client, transactional_db, widget_root):
    CampaignFactory(slug="past", goal_kind="supporters", monthly_target=50, gifts=monthly_supporters(62))
    document = json.loads(client.get("/w/past.json").content)
    assert (document["percent"], document["fill"]) == (124.0, 100.0)
    _, texts = svg_texts(client.get("/w/past.svg").content)
    assert any(text.startswith("124% · ") for text in texts)
    assert "124%" in client.get("/w/past/").content.decode()


def test_it_draws_stretch_milestones_beyond_the_target(client, transactional_db, widget_root):
    campaign = CampaignFactory(slug="stretch", goal_kind="supporters", monthly_target=50, gifts=monthly_supporters(62))
    MilestoneFactory(campaign=campaign, amount=75, label="Stretch")
    ledger_changed_now(campaign)
    document = json.loads(client.get("/w/stretch.json").content)
    assert [(m["amount"], m["at"], m["reached"]) for m in document["milestones"]] == [
        (0, 0.0, True),
        (50, 66.67, True),
        (75, 100.0, False),
    ]
    assert document["fill"] == round(62 * 100 / 75, 2) and document["percent"] == 124.0
    _, texts = svg_texts(client.get("/w/stretch.svg").content)
    assert "75" in texts and "50" in texts
