"""Every format says when its figures were last updated, and the donation page states how the month
counts: the SVG in its <desc>, the iframe as a UTC time (cached bytes run no script), the JSON as an
ISO time the script widget turns into "Updated 2 minutes ago", the donation page as "Updated … ago"."""

import datetime as dt
import json
import re

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fundraising.campaigns.models import Period
from fundraising.widgets.services import snapshot_refresh
from tests.factories import SeedCampaignFactory


def recomputed(campaign, when):
    Period.objects.filter(campaign=campaign).update(recomputed_at=when)
    snapshot_refresh(campaign_id=campaign.pk)


def test_it_dates_the_svg_and_the_iframe(client, transactional_db, widget_root):
    campaign = SeedCampaignFactory()
    recomputed(campaign, dt.datetime(2026, 11, 25, 15, 32, 7, tzinfo=dt.UTC))
    svg = client.get("/w/lights.svg").content.decode()
    assert re.search(r"<desc id=\"d\">[^<]*Updated Nov 25, 15:32 UTC\.</desc>", svg)
    page = client.get("/w/lights/").content.decode()
    assert '<time datetime="2026-11-25T15:32:07Z">Updated Nov 25, 15:32 UTC</time>' in page
    assert "Mis à jour le 25 nov., 15:32 UTC" in client.get("/w/lights/?locale=fr_FR").content.decode()
    document = json.loads(client.get("/w/lights.json?locale=de").content)
    assert document["updated_at"] == "2026-11-25T15:32:07Z"
    assert document["text"]["updated"] == "Aktualisiert %(when)s"


def test_it_tells_donors_how_fresh_and_how_the_month_counts(client, transactional_db, widget_root):
    campaign = SeedCampaignFactory()
    recomputed(campaign, timezone.now() - dt.timedelta(minutes=2, seconds=5))
    page = client.get("/c/lights/").content.decode()
    assert re.search(r"Updated 2 minutes ago\.</time>", page)  # the widget's CLDR wording
    assert "Refunds are subtracted; monthly gifts count in the month they are paid." in page
    campaign.locale = "fr_FR"
    campaign.save()
    page = client.get("/c/lights/").content.decode()
    assert "Les remboursements sont déduits ; les dons mensuels comptent dans le mois où ils sont payés." in page
    assert parse_datetime(re.search(r'<time datetime="([^"]+)"', page).group(1)) < timezone.now()


def test_it_gives_embed_js_the_words_for_how_long_ago(client, transactional_db, widget_root):
    """CLDR's "{0} minutes ago" per plural category and a translated "just now", in the JSON's language."""
    SeedCampaignFactory()
    ago = json.loads(client.get("/w/lights.json?locale=fr").content)["text"]["ago"]
    assert ago["now"] == "à l’instant"
    assert ago["minute"] == {"one": "il y a {0} minute", "other": "il y a {0} minutes"}
    assert ago["day"]["other"] == "il y a {0} jours"
    ago = json.loads(client.get("/w/lights.json?locale=de").content)["text"]["ago"]
    assert (ago["now"], ago["hour"]["one"]) == ("gerade eben", "vor {0} Stunde")
    ago = json.loads(client.get("/w/lights.json").content)["text"]["ago"]
    assert (ago["now"], ago["hour"]["other"]) == ("just now", "{0} hours ago")
