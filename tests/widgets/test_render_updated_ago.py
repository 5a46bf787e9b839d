"""The donation page words its freshness as the widget does: "Updated just now", then CLDR's "N minutes ago"
with the language's plural rules (never Django's "Updated 0 minutes ago")."""

import datetime

import pytest
import time_machine
from django.utils import translation

from fundraising.widgets.render import updated_ago
from fundraising.widgets.services import snapshot_refresh

T = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("language", "seconds", "text"),
    [
        ("en", 5, "Updated just now"),
        ("en", 60, "Updated 1 minute ago"),
        ("en", 180, "Updated 3 minutes ago"),
        ("en", 7200, "Updated 2 hours ago"),
        ("en", 86400 * 3, "Updated 3 days ago"),
        ("fr", 5, "Mis à jour à l’instant"),
        ("fr", 60, "Mis à jour il y a 1 minute"),
        ("fr", 180, "Mis à jour il y a 3 minutes"),
        ("de", 180, "Vor 3 Minuten"),
    ],
)
def test_it_words_the_age_like_the_widget(language, seconds, text):
    with translation.override(language):
        worded = updated_ago(T - datetime.timedelta(seconds=seconds), T)
    assert text.lower() in worded.lower()


def test_the_donation_page_says_just_now_not_zero_minutes(client, campaign, widget_root):
    with time_machine.travel(T, tick=False):
        snapshot_refresh(campaign_id=campaign.pk)
        page = client.get(f"/c/{campaign.slug}/").content.decode()
    assert "Updated just now." in page and "0 minutes" not in page
