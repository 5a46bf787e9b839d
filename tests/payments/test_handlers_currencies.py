"""Zero-decimal (JPY) and three-decimal (KWD) gifts stay exact minor units from Stripe to the bar."""

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from tests.factories import CampaignFactory
from tests.stripe_standin import events


def test_it_counts_yen_and_dinars_exactly(client, organization):
    yen = CampaignFactory(organization=organization, slug="yen", currency="jpy", monthly_target=1_000_000)
    dinar = CampaignFactory(organization=organization, slug="dinar", currency="kwd", monthly_target=5_000_000)
    for amount in (1000, 2345):
        session = events.checkout_session(amount=amount, currency="jpy", campaign="yen")
        events.post_event(client, events.event("checkout.session.completed", session))
    for amount in (1500, 2125):
        session = events.checkout_session(amount=amount, currency="kwd", campaign="dinar")
        events.post_event(client, events.event("checkout.session.completed", session))
    yen_period = Period.objects.get(campaign=yen)
    dinar_period = Period.objects.get(campaign=dinar)
    assert yen_period.raised == 3345
    assert dinar_period.raised == 3625
    assert yen.format(yen_period.raised) == "3,345 ¥"
    assert dinar.format(dinar_period.raised) == "3.625 KWD"
    html = client.get("/c/dinar/").content.decode()
    assert "3.625" in html


def test_it_ignores_a_payment_in_another_currency(client, campaign):
    session = events.checkout_session(amount=1000, currency="eur")
    events.post_event(client, events.event("checkout.session.completed", session))
    assert not Donation.objects.exists()


def test_it_counts_adaptive_pricing_in_the_campaign_currency(client, campaign):
    session = events.checkout_session(amount=9300, currency="eur")
    session["currency_conversion"] = {"amount_subtotal": 1000, "amount_total": 1000, "fx_rate": "0.93",
                                      "source_currency": "usd"}  # fmt: skip
    events.post_event(client, events.event("checkout.session.completed", session))
    assert Donation.objects.get().amount == 1000
