"""One language end to end: a widget shown in another language than its campaign links to the donation page
in that language; the page, the amount typed and Stripe's checkout then speak it, and come back in it."""

import json
import re
from unittest import mock

from fundraising.payments import stripe_api
from fundraising.widgets.services import snapshot_refresh
from tests.challenge_helpers import donate_post


def test_a_french_widget_links_to_a_french_donation_page(client, campaign, widget_root):
    snapshot_refresh(campaign_id=campaign.pk)
    document = json.loads(client.get(f"/w/{campaign.slug}.json?locale=fr_FR").content)
    assert document["url"].endswith(f"/c/{campaign.slug}/?locale=fr_FR")
    assert json.loads(client.get(f"/w/{campaign.slug}.json").content)["url"].endswith(f"/c/{campaign.slug}/")
    iframe = client.get(f"/w/{campaign.slug}/?locale=fr_FR&amounts=1").content.decode()
    assert f"/c/{campaign.slug}/?locale=fr_FR&amp;amount=" in iframe
    page = client.get(f"/c/{campaign.slug}/?locale=fr_FR").content.decode()
    assert "À quelle fréquence ?" in page and "How often?" not in page


def test_the_page_locale_reads_the_amount_and_reaches_checkout(client, campaign, monkeypatch):
    made = {}

    def create(*, params, idempotency_key):
        made.update(params)
        return {"id": "cs_test_locale", "url": "https://checkout.example/cs_test_locale"}

    monkeypatch.setattr(stripe_api, "checkout_ready", lambda: True)
    monkeypatch.setattr(stripe_api, "checkout_session_create", create)
    response = donate_post(
        client,
        f"/c/{campaign.slug}/?locale=fr_FR", {"kind": "one_time", "preset": "", "custom_amount": "12,50"}
    )
    assert response.status_code == 303, response.content.decode()[:500]
    assert made["line_items"][0]["price_data"]["unit_amount"] == 1250  # 12,50 read the French way
    assert made["locale"] == "fr"
    assert re.search(rf"/c/{campaign.slug}/\?cancelled=[0-9a-f-]{{36}}&locale=fr_FR$", made["cancel_url"])
    assert made["success_url"].endswith("session_id={CHECKOUT_SESSION_ID}&locale=fr_FR")


def test_an_unknown_locale_is_ignored(client, campaign):
    with mock.patch.object(stripe_api, "checkout_ready", return_value=True):
        response = client.get(f"/c/{campaign.slug}/?locale=xx_<b>")
    assert response.status_code == 200 and "How often?" in response.content.decode()
    assert "xx_<b>" not in response.content.decode()
