"""`make demo`'s monthly gift after Checkout (DEBUG=1, STRIPE_DEMO_CHECKOUT=1, no Stripe key): the manage
page's Change amount, Update card (through the stand-in portal, marked as a test) and Stop reach the local
stand-in through stripe_api, and each is confirmed by the signed event Stripe would send to the webhook."""

import pytest
from django.test import Client

from fundraising.payments.models import StripeEvent, SubscriptionState
from fundraising.supporters.links import manage_url
from tests.challenge_helpers import donate_post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server, settings, campaign):
    settings.SITE_URL = live_server.url
    settings.DEBUG, settings.STRIPE_DEMO_CHECKOUT, settings.STRIPE_SECRET_KEY = True, True, ""
    return live_server.url


def give_monthly(client, campaign, email):
    to_checkout = donate_post(client, f"/c/{campaign.slug}/", {"preset": "1000", "kind": "monthly"})
    pay = to_checkout["Location"].split("://", 1)[1].split("/", 1)[1]
    assert client.post(f"/{pay}pay/", {"email": email}).status_code == 303
    return SubscriptionState.objects.get()


def test_it_changes_updates_the_card_and_stops_with_signed_events(demo, campaign):
    client = Client()
    state = give_monthly(client, campaign, "mo@example.com")
    assert (state.amount, state.status) == (1000, "active")
    page = manage_url(campaign=campaign, email="mo@example.com").replace(demo, "")
    gift = f"{page}gift/{state.subscription_id}/"

    client.post(gift, {"action": "amount", "amount": "15"})
    html = client.get(page).content.decode()
    assert '<strong class="fr-amount">15 $</strong>' in html and "waiting for confirmation" not in html
    assert "Asked. Stripe confirms" in html

    to_portal = client.post(gift, {"action": "card"})
    portal = to_portal["Location"].replace(demo, "")
    assert portal.startswith("/demo-portal/bps_test_")
    assert "Local test card update: not Stripe" in client.get(portal).content.decode()
    assert client.post(f"{portal}card/")["Location"] == demo + page

    client.post(gift, {"action": "cancel_at_end"})
    assert "no further payment" in client.get(page).content.decode()
    client.post(gift, {"action": "cancel_now"})
    assert "Stopped." in client.get(page).content.decode()

    kinds = list(StripeEvent.objects.order_by("received_at").values_list("type", flat=True))
    assert kinds == ["checkout.session.completed", "customer.subscription.created", "invoice.paid"] + [
        "customer.subscription.updated"] * 3 + ["customer.subscription.deleted"]  # fmt: skip
    card = StripeEvent.objects.filter(type="customer.subscription.updated")[1].payload["data"]
    assert set(card["previous_attributes"]) == {"default_payment_method"}
    assert card["object"]["items"]["data"][0]["price"]["unit_amount"] == 1500  # the pinned version's shape
    assert SubscriptionState.objects.get().status == "canceled"


def test_it_changes_a_seeded_subscription_it_never_sold(demo, campaign):
    """The demo's history subscriptions were seeded, not sold here: rebuilt from what their webhooks left."""
    client = Client()
    give_monthly(client, campaign, "mo@example.com")
    from django.core.cache import cache

    cache.clear()  # the stand-in forgot it (a restart of the demo)
    state = SubscriptionState.objects.get()
    page = manage_url(campaign=campaign, email="mo@example.com").replace(demo, "")
    client.post(f"{page}gift/{state.subscription_id}/", {"action": "amount", "amount": "20"})
    assert '<strong class="fr-amount">20 $</strong>' in client.get(page).content.decode()


def test_it_opens_no_portal_without_debug(demo, campaign, settings):
    client = Client()
    state = give_monthly(client, campaign, "mo@example.com")
    portal = client.post(manage_url(campaign=campaign, email="mo@example.com").replace(demo, "")
                         + f"gift/{state.subscription_id}/", {"action": "card"})["Location"]  # fmt: skip
    settings.DEBUG = False
    assert client.get(portal.replace(demo, "")).status_code == 404
    assert client.post(portal.replace(demo, "") + "card/").status_code == 404
