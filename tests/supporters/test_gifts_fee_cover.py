"""A monthly gift that covers the card fees: the manage page shows the cover and drops it through Stripe's seam
(the cover's item deleted, the metadata cleared, an idempotency key), "waiting for confirmation" until
customer.subscription.updated shows it gone; renewals then count no cover."""

import time

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from fundraising.payments.models import SubscriptionState
from fundraising.supporters import links
from fundraising.supporters.models import GiftChange
from tests.stripe_standin import events, objects

COVER = 106


def covered(subscription, *, cover=COVER, item_id="si_cover"):
    """A subscription as Stripe describes one made by Checkout with a card fees cover line: two items, and the
    metadata naming the cover."""
    first = subscription["items"]["data"][0]
    price = dict(first["price"], id=events.sid("price"), product="prod_cover", unit_amount=cover,
                 unit_amount_decimal=str(cover))  # fmt: skip
    subscription["items"]["data"].append(dict(first, id=item_id, price=price))
    subscription["metadata"]["fundraising_fee_cover"] = str(cover)
    return subscription


@pytest.fixture
def gift(client, campaign):
    """A monthly gift of 25 $ and 1.06 $ of cover, as the webhooks leave it."""
    pending = Donation.objects.create(campaign=campaign, amount=2606, fee_cover=COVER, currency="usd", kind="monthly")
    sub = events.sid("sub")
    invoice = events.invoice(amount=2606, donation=pending.id, subscription=sub, billing_reason="subscription_create",
                             paid_at=int(time.time()))  # fmt: skip
    invoice["parent"]["subscription_details"]["metadata"]["fundraising_fee_cover"] = str(COVER)
    objects.invoice_with_lines(invoice, amounts=[2500, COVER], subscription=sub)
    session = events.checkout_session(amount=2606, donation=pending.id, mode="subscription", subscription=sub,
                                      email="monthly@example.com")  # fmt: skip
    created = covered(events.subscription_live(subscription_id=sub, amount=2500, donation=pending.id))
    for evt in (
        events.event("checkout.session.completed", session),
        events.event("invoice.paid", invoice),
        events.event("customer.subscription.created", created, created=int(time.time()) - 5),
    ):
        events.post_event(client, evt)
    return sub


@pytest.fixture
def stripe_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(stripe_api, "subscription_fee_cover_drop", lambda **kw: calls.append(kw) or {})
    return calls


def page_of(campaign):
    token = links.manage_token(organization_id=campaign.organization_id, email="monthly@example.com")
    return f"/c/{campaign.slug}/manage/{token}/"


def test_it_reads_the_gift_and_its_cover_from_the_two_items(gift):
    state = SubscriptionState.objects.get(subscription_id=gift)
    assert (state.amount, state.fee_cover, state.fee_cover_item_id) == (2500, COVER, "si_cover")
    assert state.item_id == f"si_{gift[4:]}"  # the gift's item, not the cover's


def test_it_drops_the_cover_once_stripe_confirms_it(client, campaign, gift, stripe_calls):
    url = page_of(campaign)
    html = client.get(url).content.decode()
    assert '<strong class="fr-amount">25 $</strong>' in html
    assert "and 1.06 $ a month to cover the card fees" in html
    response = client.post(f"{url}gift/{gift}/", {"action": "fee_cover_drop"})
    assert response.status_code == 303
    [call] = stripe_calls
    assert call == {"subscription_id": gift, "item_id": "si_cover",
                    "idempotency_key": f"gift-fee-cover-drop-{gift}-si_cover"}  # fmt: skip
    assert GiftChange.objects.get().kind == "fee_cover_drop"
    assert "Stop covering the card fees: waiting for confirmation from Stripe." in client.get(url).content.decode()

    updated = events.subscription_live(subscription_id=gift, amount=2500)  # one item left, no cover named
    events.post_event(client, events.event("customer.subscription.updated", updated))
    html = client.get(url).content.decode()
    assert "to cover the card fees" not in html and "waiting for confirmation" not in html
    assert "Stop covering the fees" not in html
    renewal = events.invoice(amount=2500, subscription=gift)
    events.post_event(client, events.event("invoice.paid", objects.invoice_with_lines(renewal, amounts=[2500],
                                                                                      subscription=gift)))  # fmt: skip
    assert Donation.objects.get(stripe_invoice_id=renewal["id"]).fee_cover == 0


def test_it_refuses_to_drop_a_cover_there_is_not(client, campaign, stripe_calls):
    from tests.supporter_helpers import monthly_gift

    sub = monthly_gift(client, campaign)
    url = page_of(campaign)
    assert "Stop covering the fees" not in client.get(url).content.decode()
    client.post(f"{url}gift/{sub}/", {"action": "fee_cover_drop"})
    assert stripe_calls == [] and not GiftChange.objects.exists()
