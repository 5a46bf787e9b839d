"""Payments the app did not create count when their metadata names a campaign; others are stored, ignored."""

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.payments.models import StripeEvent
from tests.stripe_standin import events


def test_it_counts_a_payment_link_payment(client, campaign):
    session = events.checkout_session(amount=4200, email="link@example.com")
    session["payment_link"] = "plink_test_1"
    events.post_event(client, events.event("checkout.session.completed", session))
    donation = Donation.objects.get()
    assert (donation.amount, donation.status, donation.donor_email) == (4200, "succeeded", "link@example.com")
    assert Period.objects.get().raised == 4200


def test_it_counts_once_when_intent_and_session_both_arrive(client, campaign):
    pi = events.sid("pi")
    intent = {"id": pi, "object": "payment_intent", "amount_received": 4200, "currency": "usd",
              "metadata": {"fundraising_campaign": "lights"}}  # fmt: skip
    session = events.checkout_session(amount=4200, payment_intent=pi)
    events.post_event(client, events.event("payment_intent.succeeded", intent))
    events.post_event(client, events.event("checkout.session.completed", session))
    assert Donation.objects.count() == 1
    assert Period.objects.get().raised == 4200


def test_it_stores_and_ignores_unknown_campaigns_types_and_plain_payments(client, campaign):
    unknown = events.checkout_session(amount=100, campaign="no-such-campaign")
    plain = events.checkout_session(amount=100, campaign=None)
    other = events.event("customer.created", {"id": "cus_1", "object": "customer"})
    for evt in (events.event("checkout.session.completed", unknown), events.event("checkout.session.completed", plain),
                other):  # fmt: skip
        assert events.post_event(client, evt).status_code == 200
    assert not Donation.objects.exists()
    assert StripeEvent.objects.filter(processed_at__isnull=False).count() == 3
