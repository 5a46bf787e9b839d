"""The manage page's "Change amount" asks about an amount with two readings ("25,50" on an en_US campaign)
and offers the suggestion as a button; Stripe hears of nothing until the supporter chooses it."""

import pytest

from fundraising.payments import stripe_api
from fundraising.supporters import links
from tests.supporter_helpers import monthly_gift


@pytest.fixture
def stripe_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(stripe_api, "subscription_amount_change", lambda **kw: calls.append(kw) or {})
    return calls


def page_of(campaign, email="monthly@example.com"):
    return f"/c/{campaign.slug}/manage/{links.manage_token(organization_id=campaign.organization_id, email=email)}/"


def test_it_asks_instead_of_changing_to_a_hundred_times(client, campaign, stripe_calls):
    sub = monthly_gift(client, campaign)
    response = client.post(f"{page_of(campaign)}gift/{sub}/", {"action": "amount", "amount": "25,50"}, follow=True)
    html = response.content.decode()
    assert "Did you mean 25.50 $?" in html
    assert 'name="amount_confirmed" value="2550">Yes, 25.50 $</button>' in html
    assert '<input type="hidden" name="amount" value="25,50">' in html
    assert stripe_calls == []


def test_choosing_the_suggestion_changes_to_it(client, campaign, stripe_calls):
    sub = monthly_gift(client, campaign)
    post = {"action": "amount", "amount": "25,50", "amount_confirmed": "2550"}
    response = client.post(f"{page_of(campaign)}gift/{sub}/", post)
    assert response.status_code == 303
    [call] = stripe_calls
    assert call["amount"] == 2550


def test_a_link_cannot_offer_an_amount_of_its_own(client, campaign, stripe_calls):
    sub = monthly_gift(client, campaign)
    html = client.get(f"{page_of(campaign)}?gift={sub}&amount=25").content.decode()  # one reading: no question
    assert "amount_confirmed" not in html
    html = client.get(f"{page_of(campaign)}?gift={sub}&amount=2,5").content.decode()
    assert 'value="250">Yes, 2.50 $</button>' in html


def test_a_change_keeps_to_the_campaigns_range(client, campaign, stripe_calls):
    campaign.min_amount, campaign.max_amount = 500, 10000
    campaign.save()
    sub = monthly_gift(client, campaign)
    for typed, message in (("4", "The smallest gift is 5 $."), ("101", "The largest gift is 100 $.")):
        html = client.post(f"{page_of(campaign)}gift/{sub}/", {"action": "amount", "amount": typed}, follow=True)
        assert message in html.content.decode(), typed
    assert stripe_calls == []
