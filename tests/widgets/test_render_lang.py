"""Each format says which language its words are in: lang on the iframe page, xml:lang on the SVG and
text.lang in the JSON, which the script widget sets on its root (checked in Chromium in
tests/widgets/test_render_small_screens.py)."""

import json

from tests.factories import SeedCampaignFactory


def test_it_marks_the_language_of_every_format(client, transactional_db, widget_root):
    SeedCampaignFactory()
    svg = client.get("/w/lights.svg").content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" xml:lang="en" lang="en"' in svg
    assert 'xml:lang="fr"' in client.get("/w/lights.svg?locale=fr_FR").content.decode()
    assert '<html lang="de">' in client.get("/w/lights/?locale=de").content.decode()
    assert json.loads(client.get("/w/lights.json?locale=es").content)["text"]["lang"] == "es"


def test_it_names_the_language_of_the_words_not_of_the_numbers(client, transactional_db, widget_root):
    SeedCampaignFactory()  # Italian numbers, but no Italian catalogue ships: the words are English
    assert json.loads(client.get("/w/lights.json?locale=it_IT").content)["text"]["lang"] == "en"
    assert '<html lang="en">' in client.get("/w/lights/?locale=it_IT").content.decode()
