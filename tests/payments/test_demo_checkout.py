"""make demo's local test checkout (STRIPE_DEMO_CHECKOUT=1, DEBUG=1, no STRIPE_SECRET_KEY): Checkout Sessions
are created and read through stripe_api.py as with Stripe; Pay posts signed events to the real webhook."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import demo_checkout, stripe_api
from fundraising.payments.checkout import donation_checkout_start
from fundraising.payments.models import StripeEvent
from tests.challenge_helpers import donate_post


@pytest.fixture
def demo_on(settings):
    settings.DEBUG = True
    settings.STRIPE_DEMO_CHECKOUT = True
    settings.STRIPE_SECRET_KEY = ""


def test_it_answers_for_stripe_at_the_seam(demo_on, campaign, settings):
    donation, url = donation_checkout_start(campaign=campaign, amount=2500, kind=Donation.Kind.ONE_TIME)
    donation.refresh_from_db()
    session_id = donation.stripe_checkout_session_id
    assert session_id.startswith("cs_test_")
    assert url == f"{settings.SITE_URL}/demo-checkout/{session_id}/"
    session = stripe_api.checkout_session_retrieve(session_id=session_id)
    assert session["object"] == "checkout.session"
    assert (session["amount_total"], session["currency"], session["mode"]) == (2500, "usd", "payment")
    assert session["metadata"] == {"fundraising_campaign": "lights", "fundraising_donation": str(donation.id)}
    assert (session["status"], session["payment_status"]) == ("open", "unpaid")
    assert not [key for key in session if key.startswith("_")]  # only Stripe's fields leave the provider


def test_it_gives_the_same_session_for_the_same_idempotency_key(demo_on, campaign):
    params = {
        "mode": "payment",
        "line_items": [{"price_data": {"currency": "usd", "unit_amount": 500, "product_data": {"name": "x"}}}],
        "success_url": "http://127.0.0.1:8000/c/lights/thanks/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://127.0.0.1:8000/c/lights/",
    }
    first = stripe_api.checkout_session_create(params=params, idempotency_key="donation-1-checkout")
    again = stripe_api.checkout_session_create(params=params, idempotency_key="donation-1-checkout")
    other = stripe_api.checkout_session_create(params=params, idempotency_key="donation-2-checkout")
    assert first["id"] == again["id"] != other["id"]


def test_it_says_so_for_an_unknown_session(demo_on):
    with pytest.raises(stripe_api.StripeUnavailable, match="No such checkout.session"):
        stripe_api.checkout_session_retrieve(session_id="cs_test_nothing")


def test_it_pays_a_one_time_session_in_stripes_shapes(demo_on, campaign):
    donation, _ = donation_checkout_start(campaign=campaign, amount=2500, kind=Donation.Kind.ONE_TIME)
    session_id = Donation.objects.get(pk=donation.pk).stripe_checkout_session_id
    session, events = demo_checkout.session_pay(session_id=session_id, email="grace@example.com")
    assert [event["type"] for event in events] == ["checkout.session.completed", "payment_intent.succeeded"]
    completed, intent = (event["data"]["object"] for event in events)
    assert (completed["status"], completed["payment_status"]) == ("complete", "paid")
    assert completed["customer_details"]["email"] == "grace@example.com"
    assert completed["payment_intent"] == intent["id"] and intent["id"].startswith("pi_")
    assert (intent["amount_received"], intent["currency"], intent["status"]) == (2500, "usd", "succeeded")
    assert intent["metadata"]["fundraising_donation"] == str(donation.id)
    assert all(event["id"].startswith("evt_") and event["object"] == "event" for event in events)
    again, resent = demo_checkout.session_pay(session_id=session_id)
    assert [event["id"] for event in resent] == [event["id"] for event in events]  # same ids: no second gift
    assert stripe_api.checkout_session_retrieve(session_id=session_id)["payment_status"] == "paid"


def test_it_pays_a_monthly_session_with_a_first_invoice(demo_on, campaign):
    donation, _ = donation_checkout_start(campaign=campaign, amount=1000, kind=Donation.Kind.MONTHLY)
    session_id = Donation.objects.get(pk=donation.pk).stripe_checkout_session_id
    session, events = demo_checkout.session_pay(session_id=session_id)
    types = ["checkout.session.completed", "customer.subscription.created", "invoice.paid"]
    assert [event["type"] for event in events] == types
    invoice, subscription = events[2]["data"]["object"], events[1]["data"]["object"]
    assert subscription["id"] == session["subscription"] and subscription["customer"] == invoice["customer"]
    assert subscription["items"]["data"][0]["price"]["unit_amount"] == 1000
    details = invoice["parent"]["subscription_details"]
    assert details["subscription"] == session["subscription"] == events[0]["data"]["object"]["subscription"]
    assert details["metadata"]["fundraising_donation"] == str(donation.id)
    assert (invoice["amount_paid"], invoice["billing_reason"]) == (1000, "subscription_create")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("kind", "types"), [
    ("one_time", ["checkout.session.completed", "payment_intent.succeeded"]),
    ("monthly", ["checkout.session.completed", "customer.subscription.created", "invoice.paid"]),
])  # fmt: skip
def test_it_pays_through_the_real_webhook(live_server, demo_on, settings, kind, types, client):
    from django.core.management import call_command

    settings.SITE_URL = live_server.url
    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = donate_post(client, "/c/demo/", {"preset": "2500", "kind": kind, "public_name": "Hedy"})
    assert response.status_code == 303
    page = client.get(response["Location"].removeprefix(live_server.url))
    assert page.status_code == 200
    assert "Local test payment: not Stripe" in page.content.decode()
    session_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    paid = client.post(f"/demo-checkout/{session_id}/pay/", {"email": "hedy@example.com"})
    assert paid.status_code == 303
    assert paid["Location"] == f"{live_server.url}/c/demo/thanks/?session_id={session_id}"
    stored = StripeEvent.objects.filter(processed_at__isnull=False).order_by("received_at")
    assert [event.type for event in stored] == types  # verified with STRIPE_WEBHOOK_SECRET, stored, applied
    donation = Donation.objects.get(public_name="Hedy")
    assert (donation.status, donation.amount, donation.donor_email) == ("succeeded", 2500, "hedy@example.com")
    client.post(f"/demo-checkout/{session_id}/pay/")  # pressed twice: same events, no second gift
    assert StripeEvent.objects.count() == len(types)
    thanks = client.get(f"/c/demo/thanks/?session_id={session_id}").content.decode()
    assert "125 $" in thanks


def test_it_refuses_a_bad_email_with_a_message(demo_on, campaign, client):
    _, url = donation_checkout_start(campaign=campaign, amount=2500, kind=Donation.Kind.ONE_TIME)
    session_id = url.rstrip("/").rsplit("/", 1)[1]
    response = client.post(f"/demo-checkout/{session_id}/pay/", {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert stripe_api.checkout_session_retrieve(session_id=session_id)["payment_status"] == "unpaid"


def test_it_shows_the_donation_form_enabled_without_stripe(demo_on, campaign, client):
    html = client.get("/c/lights/").content.decode()
    assert "not set up yet" not in html
    assert 'role="alert"' not in html
    assert "disabled" not in html.split('<button type="submit"')[1].split(">")[0]
    assert "the next page is a test payment on this computer, not Stripe" in html


def test_it_cancels_back_to_the_campaign(demo_on, campaign, client):
    donation, url = donation_checkout_start(campaign=campaign, amount=2500, kind=Donation.Kind.ONE_TIME)
    html = client.get(url.split("127.0.0.1:8000")[-1]).content.decode()
    assert f'href="http://127.0.0.1:8000/c/lights/?cancelled={donation.id}" id="cancel"' in html
