"""An expired or failed Checkout Session marks its pending donation, never a paid one, and one the app
does not know is ignored."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments.models import StripeEvent
from tests.stripe_standin import events


@pytest.mark.parametrize(
    ("type_", "status"),
    [("checkout.session.expired", "expired"), ("checkout.session.async_payment_failed", "failed")],
)
def test_it_marks_the_pending_donation(client, campaign, type_, status):
    pending = Donation.objects.create(campaign=campaign, amount=900, currency="usd")
    session = events.checkout_session(amount=900, donation=pending.id, payment_status="unpaid")
    events.post_event(client, events.event(type_, session))
    assert Donation.objects.get().status == status


def test_it_ignores_a_session_it_does_not_know(client, campaign):
    session = events.checkout_session(amount=900, payment_status="unpaid")
    assert events.post_event(client, events.event("checkout.session.expired", session)).status_code == 200
    assert not Donation.objects.exists()
    assert StripeEvent.objects.get().processed_at is not None
