"""The SVG bar shows the seed's picture: month, markers with amounts, raised at the fill, percent."""

import xml.etree.ElementTree as ET

import pytest

from tests.factories import SeedCampaignFactory

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def lights(transactional_db, widget_root):
    return SeedCampaignFactory()


def texts(body):
    return [("".join(node.itertext())).strip() for node in ET.fromstring(body).iter(f"{NS}text")]


def test_it_draws_the_seed_picture(client, lights):
    from fundraising.campaigns.services import period_for

    label = period_for(campaign=lights).label
    shown = texts(client.get("/w/lights.svg").content)
    assert label in shown and label.split()[0].isupper()
    for marker in ("0 $", "2,500 $", "5,000 $", "100 $", "2% · 3 supporters", "Keep the lights on"):
        assert marker in shown, marker


def test_it_has_a_title_and_description(client, lights):
    tree = ET.fromstring(client.get("/w/lights.svg").content)
    assert "100 $ of 5,000 $" in tree.find(f"{NS}title").text
    assert "3 supporters" in tree.find(f"{NS}desc").text


def test_it_renders_options(client, lights):
    dark = client.get("/w/lights.svg?theme=dark&accent=ff8800").content.decode()
    assert 'fill="#111827"' in dark and 'fill="#ff8800"' in dark
    compact = ET.fromstring(client.get("/w/lights.svg?layout=compact").content)
    assert int(compact.get("height")) < 100
    french = texts(client.get("/w/lights.svg?locale=fr_FR").content)
    assert any(text.startswith(("2\u202f500", "2\u00a0500")) for text in french)


def test_it_caps_the_fill_and_keeps_labels_inside_past_the_target(client, transactional_db, widget_root):
    SeedCampaignFactory(slug="over", gifts=(600000,))
    tree = ET.fromstring(client.get("/w/over.svg").content)
    widths = [float(r.get("width")) for r in tree.iter(f"{NS}rect") if r.get("fill") == "#16a34a"]
    assert widths == [444.0]
    assert "120% · 1 supporter" in texts(client.get("/w/over.svg").content)
