"""The real stripe SDK over HTTP: Checkout Sessions on the stand-in, payments on localstripe, signed
events from both back to the app on a live server; the gift counts once."""

import shutil
import sys
from pathlib import Path

import pytest
from django.test import Client

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.payments.models import StripeEvent
from tests.challenge_helpers import donate_post
from tests.stripe_standin.server import SECRET_KEY, CheckoutStandIn, LocalStripe


@pytest.fixture
def localstripe():
    executable = shutil.which("localstripe") or str(Path(sys.executable).with_name("localstripe"))
    if not Path(executable).exists():
        pytest.skip("localstripe is not installed (pip install -r requirements-dev.txt)")
    with LocalStripe(executable) as server:
        yield server


@pytest.fixture
def stripe_world(live_server, localstripe, settings):
    import stripe

    webhook = f"{live_server.url}/stripe/webhook/"
    localstripe.webhook_register(url=webhook, secret=settings.STRIPE_WEBHOOK_SECRET)
    with CheckoutStandIn(webhook_url=webhook, localstripe_url=localstripe.url) as standin:
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_API_BASE = standin.url
        settings.SITE_URL = live_server.url
        yield standin
    stripe.api_base = "https://api.stripe.com"


def pay(standin, location):
    """The donor on the hosted page presses Pay; returns where Stripe sends them back."""
    import urllib.request

    session_id = location.rsplit("/", 1)[1]
    data = urllib.parse.urlencode({"email": "ada@example.com"}).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(f"{standin.url}/pay/{session_id}", data=data, timeout=30)
    except urllib.error.HTTPError as exc:
        assert exc.code == 303
        return exc.headers["Location"]
    raise AssertionError("the checkout page did not redirect")


def wait_for(predicate, seconds=10):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.django_db(transaction=True)
def test_it_takes_a_one_time_gift_end_to_end(campaign, stripe_world):
    client = Client()
    response = donate_post(client, "/c/lights/", {"preset": "2500", "kind": "one_time", "public_name": "Ada"})
    assert response.status_code == 303
    assert response["Location"].startswith(f"{stripe_world.url}/pay/cs_test_")
    success = pay(stripe_world, response["Location"])
    assert success.startswith(f"{campaign_url(stripe_world)}/c/lights/thanks/?session_id=cs_test_")
    thanks = client.get(success.split(campaign_url(stripe_world), 1)[1])
    assert "Thank you, <bdi>Ada</bdi>!" in thanks.content.decode()
    assert stripe_world.deliveries == [("checkout.session.completed", 200)]
    # localstripe's own signed payment_intent.succeeded (metadata from payment_intent_data) arrives too.
    # It is stored before it is processed (after commit, on the live server's thread): wait for both.
    assert wait_for(lambda: StripeEvent.objects.filter(type="payment_intent.succeeded", processed_at__isnull=False))
    donation = Donation.objects.get()
    assert donation.stripe_payment_intent_id.startswith("pi_")
    assert (donation.amount, donation.status, donation.donor_email) == (2500, "succeeded", "ada@example.com")
    assert Period.objects.get().raised == 2500
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_it_takes_a_monthly_gift_end_to_end(campaign, stripe_world):
    client = Client()
    response = donate_post(client, "/c/lights/", {"preset": "custom", "custom_amount": "7.50", "kind": "monthly"})
    success = pay(stripe_world, response["Location"])
    client.get(success.split(campaign_url(stripe_world), 1)[1])
    sent = ["checkout.session.completed", "customer.subscription.created", "invoice.paid"]
    assert [d[0] for d in stripe_world.deliveries] == sent
    donation = Donation.objects.get()
    assert (donation.amount, donation.kind, donation.status) == (750, "monthly", "succeeded")
    assert donation.stripe_subscription_id.startswith("sub_")
    assert Period.objects.get().raised == 750


@pytest.mark.django_db(transaction=True)
def test_it_reuses_the_session_for_the_same_idempotency_key(campaign, stripe_world):
    from fundraising.payments import stripe_api

    first = stripe_api.checkout_session_create(params=_params(), idempotency_key="donation-x-checkout")
    again = stripe_api.checkout_session_create(params=_params(), idempotency_key="donation-x-checkout")
    assert first["id"] == again["id"]
    assert stripe_api.checkout_session_retrieve(session_id=first["id"])["status"] == "open"


def _params():
    return {
        "mode": "payment",
        "line_items": [
            {"price_data": {"currency": "usd", "unit_amount": 500, "product_data": {"name": "x"}}, "quantity": 1}
        ],  # fmt: skip
        "success_url": "http://x/ok",
        "cancel_url": "http://x/no",
    }


def campaign_url(standin):
    from django.conf import settings

    return settings.SITE_URL
