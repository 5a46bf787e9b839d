"""The thank-you page names the person the gift honours or remembers, escaped."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from tests.stripe_standin import events


@pytest.fixture
def thanks(client, settings, monkeypatch, campaign):
    settings.STRIPE_SECRET_KEY = "sk_test_thanks_tribute"

    def page(**tribute):
        donation = Donation.objects.create(campaign=campaign, amount=2500, currency="usd", **tribute,
                                           stripe_checkout_session_id=events.sid("cs_test"))  # fmt: skip
        session = events.checkout_session(amount=2500, donation=donation.id,
                                          session_id=donation.stripe_checkout_session_id)  # fmt: skip
        monkeypatch.setattr(stripe_api, "checkout_session_retrieve", lambda *, session_id: session)
        return client.get(f"/c/lights/thanks/?session_id={session['id']}").content.decode()

    return page


def test_it_shows_a_gift_in_memory_of_someone(thanks):
    html = thanks(tribute_kind="memory", tribute_name="Ada <b>Lovelace</b>", tribute_notify_email="g@example.org")
    assert "Given in memory of <bdi>Ada &lt;b&gt;Lovelace&lt;/b&gt;</bdi>." in html
    assert "We are e-mailing the person you named about it." in html
    assert "g@example.org" not in html


def test_it_shows_a_gift_in_honour_of_someone_in_the_campaigns_language(thanks, campaign):
    campaign.locale = "fr_FR"
    campaign.save()
    html = thanks(tribute_kind="honour", tribute_name="Grace")
    assert "Donné en l’honneur de <bdi>Grace</bdi>." in html
    assert "e-mail" not in html.split("Grace")[1].split("</p>")[0]


def test_a_gift_without_a_dedication_says_nothing_of_one(thanks):
    html = thanks()
    assert "Given in" not in html and 'id="tribute-line"' not in html
