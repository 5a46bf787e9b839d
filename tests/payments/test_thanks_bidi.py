"""The thanks page names the donor and the campaign inside translated sentences: each name is escaped and
isolated in <bdi>, so a right-to-left name keeps its direction without reordering the sentence around it,
in every language (the sentence to translate is unchanged)."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from tests.stripe_standin import events

NAME = "مريم <b>&"


@pytest.fixture
def paid_by_rtl_name(settings, monkeypatch, campaign):
    settings.STRIPE_SECRET_KEY = "sk_test_thanks"
    pending = Donation.objects.create(campaign=campaign, amount=2500, currency="usd", public_name=NAME,
                                      stripe_checkout_session_id="cs_test_bidi")  # fmt: skip
    session = events.checkout_session(amount=2500, donation=pending.id, session_id="cs_test_bidi")
    monkeypatch.setattr(stripe_api, "checkout_session_retrieve", lambda *, session_id: dict(session, id=session_id))
    return campaign


def test_it_isolates_the_donors_name_and_the_campaigns_title(client, paid_by_rtl_name):
    html = client.get("/c/lights/thanks/?session_id=cs_test_bidi").content.decode()
    assert "Thank you, <bdi>مريم &lt;b&gt;&amp;</bdi>!" in html
    assert "Your gift of <strong>25 $</strong> to <bdi>Keep the lights on</bdi> has been received." in html


def test_it_isolates_them_in_the_translated_sentence_too(client, paid_by_rtl_name):
    paid_by_rtl_name.locale = "fr_FR"
    paid_by_rtl_name.save()
    html = client.get("/c/lights/thanks/?session_id=cs_test_bidi").content.decode()
    assert "Merci, <bdi>مريم &lt;b&gt;&amp;</bdi> !" in html
    assert "<bdi>Keep the lights on</bdi>" in html


def test_the_campaign_title_is_isolated_on_a_page_that_has_no_gift_yet(client, campaign):
    html = client.get("/c/lights/thanks/?session_id=cs_test_unknown").content.decode()
    assert "Your gift to <bdi>Keep the lights on</bdi> is on its way" in html
