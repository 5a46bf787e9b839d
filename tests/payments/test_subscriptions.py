"""What Stripe's description of a subscription changes for the supporter: the manage page and the receipts
follow its latest state, in both directions."""

import time

from django.core import mail

from fundraising.supporters import links
from tests.stripe_standin import events
from tests.supporter_helpers import monthly_gift


def test_a_gift_resumed_after_asking_to_stop_at_period_end_is_active_again(client, campaign):
    sub = monthly_gift(client, campaign)
    token = links.manage_token(organization_id=campaign.organization_id, email="monthly@example.com")
    url = f"/c/{campaign.slug}/manage/{token}/"
    now = int(time.time())
    ending = events.subscription_live(subscription_id=sub, amount=1500, cancel_at_period_end=True)
    events.post_event(client, events.event("customer.subscription.updated", ending, created=now))
    assert "Stops on" in client.get(url).content.decode()

    resumed = events.subscription_live(subscription_id=sub, amount=1500, cancel_at_period_end=False)
    events.post_event(client, events.event("customer.subscription.updated", resumed, created=now + 60))
    html = client.get(url).content.decode()
    assert "Stops on" not in html and "Next payment on" in html

    mail.outbox.clear()
    renewal = events.invoice(amount=1500, subscription=sub, email="monthly@example.com")
    events.post_event(client, events.event("invoice.paid", renewal))
    (receipt,) = mail.outbox
    assert "Next payment" in receipt.body and "Next payment" in receipt.alternatives[0][0]
