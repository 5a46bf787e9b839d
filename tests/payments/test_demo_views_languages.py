"""The demo's test pages speak the campaign's language (fr, de, es), as Stripe's pages would: the note on the
donation page, the test checkout and the card update stand-in."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import demo_checkout
from fundraising.payments.checkout import donation_checkout_start
from tests.factories import CampaignFactory


@pytest.fixture
def demo_on(settings, widget_root):
    settings.DEBUG, settings.STRIPE_DEMO_CHECKOUT, settings.STRIPE_SECRET_KEY = True, True, ""


@pytest.mark.parametrize(("locale", "note", "badge", "pay"), [
    ("fr_FR", "Démo locale : la page", "Paiement de test local : pas Stripe", "Payer (test, rien n’est débité)"),
    ("de_DE", "Lokale Demo: Die nächste", "Lokale Testzahlung: nicht Stripe", "Bezahlen (Test, nichts wird belastet)"),
    ("es_ES", "Demo local: la página", "Pago de prueba local: no es Stripe", "Pagar (prueba, no se cobra nada)"),
])  # fmt: skip
def test_it_speaks_the_campaigns_language(client, demo_on, organization, locale, note, badge, pay):
    campaign = CampaignFactory(organization=organization, slug="luz", locale=locale)
    assert note in client.get("/c/luz/").content.decode()
    _, url = donation_checkout_start(campaign=campaign, amount=2500, kind=Donation.Kind.ONE_TIME)
    page = client.get(url.split("127.0.0.1:8000")[-1]).content.decode()
    assert badge in page and pay in page


@pytest.mark.parametrize(("locale", "badge"), [("fr", "Changement de carte de test local : pas Stripe"),
                                               ("de", "Lokale Test-Kartenänderung: nicht Stripe"),
                                               ("es", "Cambio de tarjeta de prueba local: no es Stripe")])  # fmt: skip
def test_it_updates_the_card_in_the_supporters_language(client, demo_on, locale, badge):
    session = demo_checkout.portal_session_create(customer="cus_x", return_url="http://127.0.0.1:8000/",
                                                  locale=locale, site_url="http://127.0.0.1:8000")  # fmt: skip
    assert badge in client.get(f"/demo-portal/{session['id']}/").content.decode()
