"""invoice.payment_failed: the supporter gets one e-mail per declined attempt with a manage link, and the
owner sees the gift at risk in the admin until Stripe says it is active again."""

from django.core import mail

from tests.stripe_standin import events
from tests.supporter_helpers import monthly_gift


def test_it_asks_the_supporter_to_update_the_card_once_per_attempt(client, campaign):
    sub = monthly_gift(client, campaign)
    mail.outbox.clear()
    failed = events.invoice_failed(amount=1500, subscription=sub)
    events.post_event(client, events.event("invoice.payment_failed", failed))
    events.post_event(client, events.event("invoice.payment_failed", failed))  # the same attempt again
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["monthly@example.com"] and "could not be charged" in message.subject
    assert "/c/lights/manage/" in message.body and "/c/lights/manage/" in message.alternatives[0][0]
    retry = dict(failed, attempt_count=2)
    events.post_event(client, events.event("invoice.payment_failed", retry))
    assert len(mail.outbox) == 2


def test_it_shows_the_owner_which_gifts_are_at_risk(client, campaign, alice):
    sub = monthly_gift(client, campaign)
    healthy = monthly_gift(client, campaign, email="fine@example.com")
    failed = events.invoice_failed(amount=1500, subscription=sub)
    events.post_event(client, events.event("invoice.payment_failed", failed))
    past_due = events.subscription_live(subscription_id=sub, amount=1500, status="past_due")
    events.post_event(client, events.event("customer.subscription.updated", past_due))
    client.force_login(alice)
    html = client.get("/admin/supporters/monthlygift/?at_risk=yes").content.decode()
    assert sub in html and healthy not in html
    assert "payment failed" in html
    assert "monthly@example.com" in html

    recovered = events.subscription_live(subscription_id=sub, amount=1500, status="active")
    events.post_event(client, events.event("customer.subscription.updated", recovered))
    html = client.get("/admin/supporters/monthlygift/").content.decode()
    assert "recovered" in html
    assert "30 $</strong> from 2 gifts" in html  # the recurring figure, as Stripe confirmed it


def test_it_resends_the_manage_link_from_the_admin(client, campaign, alice):
    from django.test import TestCase

    sub = monthly_gift(client, campaign)
    mail.outbox.clear()
    client.force_login(alice)
    with TestCase.captureOnCommitCallbacks(execute=True):
        from fundraising.payments.models import SubscriptionState

        pk = SubscriptionState.objects.get(subscription_id=sub).pk
        client.post("/admin/supporters/monthlygift/", {"action": "send_manage_link", "_selected_action": [pk]})
    assert len(mail.outbox) == 1 and "/c/lights/manage/" in mail.outbox[0].body
