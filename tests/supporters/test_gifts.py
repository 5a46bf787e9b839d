"""The manage page lists an address's monthly gifts as Stripe confirmed them; a change asked for shows
"waiting for confirmation" until customer.subscription.updated confirms it. Stripe is patched at its seam."""

import time

import pytest

from fundraising.core.money import MoneyError
from fundraising.payments import stripe_api
from fundraising.supporters import gifts, links
from tests.factories import CampaignFactory
from tests.stripe_standin import events
from tests.supporter_helpers import monthly_gift


@pytest.fixture
def stripe_calls(monkeypatch):
    calls = []
    for name in ("subscription_amount_change", "subscription_cancel_at_period_end", "subscription_cancel_now"):
        monkeypatch.setattr(stripe_api, name, lambda _name=name, **kw: calls.append((_name, kw)) or {})
    portal = {"url": "https://billing.stripe.com/p/session/test_123"}
    monkeypatch.setattr(stripe_api, "billing_portal_card_update", lambda **kw: calls.append(("portal", kw)) or portal)
    return calls


def page_of(client, campaign, email="monthly@example.com"):
    token = links.manage_token(organization_id=campaign.organization_id, email=email)
    return f"/c/{campaign.slug}/manage/{token}/"


def test_it_lists_the_monthly_gifts_of_the_address_only(client, campaign):
    sub = monthly_gift(client, campaign)
    monthly_gift(client, campaign, email="someone-else@example.com", amount=9900)
    html = client.get(page_of(client, campaign)).content.decode()
    assert f'id="gift-{sub}"' in html
    assert "15 $" in html and "99 $" not in html
    assert "Next payment on" in html


def test_it_shows_a_new_amount_only_once_stripe_confirms_it(client, campaign, stripe_calls):
    sub = monthly_gift(client, campaign)
    url = page_of(client, campaign)
    response = client.post(f"{url}gift/{sub}/", {"action": "amount", "amount": "20"})
    assert response.status_code == 303
    name, kwargs = stripe_calls[0]
    assert name == "subscription_amount_change"
    assert (kwargs["amount"], kwargs["item_id"], kwargs["currency"]) == (2000, f"si_{sub[4:]}", "usd")
    html = client.get(url).content.decode()
    assert "waiting for confirmation" in html
    assert '<strong class="fr-amount">15 $</strong>' in html  # not yet

    updated = events.subscription_live(subscription_id=sub, amount=2000)
    events.post_event(client, events.event("customer.subscription.updated", updated))
    html = client.get(url).content.decode()
    assert '<strong class="fr-amount">20 $</strong>' in html
    assert "waiting for confirmation" not in html


def test_it_ignores_an_older_description_arriving_late(client, campaign):
    sub = monthly_gift(client, campaign)
    newer = events.subscription_live(subscription_id=sub, amount=2000)
    older = events.subscription_live(subscription_id=sub, amount=1500)
    events.post_event(client, events.event("customer.subscription.updated", newer, created=int(time.time())))
    events.post_event(client, events.event("customer.subscription.updated", older, created=int(time.time()) - 60))
    assert '<strong class="fr-amount">20 $</strong>' in client.get(page_of(client, campaign)).content.decode()


def test_it_cancels_at_period_end_once_confirmed(client, campaign, stripe_calls):
    sub = monthly_gift(client, campaign)
    url = page_of(client, campaign)
    client.post(f"{url}gift/{sub}/", {"action": "cancel_at_end"})
    assert stripe_calls == [("subscription_cancel_at_period_end", {"subscription_id": sub})]
    assert "Stop at the end of the paid month: waiting for confirmation" in client.get(url).content.decode()
    ending = events.subscription_live(subscription_id=sub, amount=1500, cancel_at_period_end=True)
    events.post_event(client, events.event("customer.subscription.updated", ending))
    html = client.get(url).content.decode()
    assert "Stops on" in html and "waiting for confirmation" not in html


def test_it_stops_now_once_stripe_deletes_it(client, campaign, stripe_calls):
    sub = monthly_gift(client, campaign)
    url = page_of(client, campaign)
    client.post(f"{url}gift/{sub}/", {"action": "cancel_now"})
    assert stripe_calls[0][0] == "subscription_cancel_now"
    gone = events.subscription_live(subscription_id=sub, amount=1500, status="canceled")
    events.post_event(client, events.event("customer.subscription.deleted", gone))
    html = client.get(url).content.decode()
    assert "Stopped." in html and "Change amount" not in html


def test_it_sends_the_supporter_to_stripes_portal_for_the_card(client, campaign, stripe_calls):
    sub = monthly_gift(client, campaign)
    url = page_of(client, campaign)
    response = client.post(f"{url}gift/{sub}/", {"action": "card"})
    assert response.status_code == 303 and response["Location"].startswith("https://billing.stripe.com/")
    assert stripe_calls[0][1]["customer_id"] == f"cus_{sub[4:]}"
    assert stripe_calls[0][1]["return_url"].endswith(url)


def test_it_refuses_a_bad_amount_and_another_persons_gift(client, campaign, stripe_calls):
    sub = monthly_gift(client, campaign)
    theirs = monthly_gift(client, campaign, email="them@example.com")
    url = page_of(client, campaign)
    for amount in ("abc", "0", "0.10", "1000000000"):
        page = client.post(f"{url}gift/{sub}/", {"action": "amount", "amount": amount}, follow=True)
        assert page.status_code == 200 and 'class="fr-note fr-note-error"' in page.content.decode(), amount
    page = client.post(f"{url}gift/{theirs}/", {"action": "cancel_now"}, follow=True)
    assert "not among this address" in page.content.decode()
    assert stripe_calls == []


def test_it_keeps_organisations_apart(client, campaign):
    monthly_gift(client, campaign)
    other = CampaignFactory(slug="elsewhere")
    html = client.get(page_of(client, other)).content.decode()
    assert "No monthly gift from this address." in html


def test_it_says_when_stripe_fails(client, campaign, monkeypatch):
    sub = monthly_gift(client, campaign)

    def down(**kwargs):
        raise stripe_api.StripeUnavailable("APIConnectionError")

    monkeypatch.setattr(stripe_api, "subscription_cancel_now", down)
    page = client.post(f"{page_of(client, campaign)}gift/{sub}/", {"action": "cancel_now"}, follow=True)
    assert "Nothing was changed" in page.content.decode()


def test_it_says_so_when_stripe_is_not_configured(client, campaign, settings):
    """As in `make demo` without a Stripe key: a clear message, never a 500."""
    settings.STRIPE_SECRET_KEY = ""
    sub = monthly_gift(client, campaign)
    for action in ("amount", "cancel_at_end", "cancel_now", "card"):
        page = client.post(f"{page_of(client, campaign)}gift/{sub}/", {"action": action, "amount": "20"}, follow=True)
        assert page.status_code == 200 and "Nothing was changed" in page.content.decode(), action


def test_an_amount_change_outside_the_range_asks_stripe_nothing(client, campaign, stripe_calls):
    campaign.min_amount = 500
    campaign.save()
    sub = monthly_gift(client, campaign)
    gift = gifts.monthly_gift(organization=campaign.organization, email="monthly@example.com", subscription_id=sub)
    for amount in (499, 100_000_000):
        with pytest.raises(MoneyError):
            gifts.gift_amount_change(gift=gift, amount=amount)
    assert stripe_calls == []


def test_each_amount_change_reaches_stripe_with_its_own_idempotency_key(client, campaign, stripe_calls):
    # Stripe answers a repeated key with the first request's result: a shared key would drop the second change.
    sub = monthly_gift(client, campaign)
    url = page_of(client, campaign)
    for amount in ("20", "25"):
        assert client.post(f"{url}gift/{sub}/", {"action": "amount", "amount": amount}).status_code == 303
    changes = [kwargs for name, kwargs in stripe_calls if name == "subscription_amount_change"]
    assert [kwargs["amount"] for kwargs in changes] == [2000, 2500]
    keys = [kwargs["idempotency_key"] for kwargs in changes]
    assert all(keys) and keys[0] != keys[1]
