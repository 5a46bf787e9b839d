"""A yearly gift for its supporter: the receipt says "per year" with the next payment a year on, the manage page
changes its amount at a yearly price and stops it after the paid year, the statement marks it yearly."""

import datetime

import pytest
from django.core import mail

from fundraising.campaigns.services import period_for
from fundraising.payments import stripe_api
from fundraising.supporters import links
from fundraising.supporters.notices import year_later
from tests.factories import DonationFactory
from tests.stripe_standin import events
from tests.supporter_helpers import monthly_gift


@pytest.fixture
def yearly_on(campaign):
    campaign.yearly_gifts = True
    campaign.save(update_fields=["yearly_gifts"])
    return campaign


@pytest.fixture
def stripe_calls(monkeypatch):
    calls = []
    for name in ("subscription_amount_change", "subscription_cancel_at_period_end", "subscription_cancel_now"):
        monkeypatch.setattr(stripe_api, name, lambda _name=name, **kw: calls.append((_name, kw)) or {})
    return calls


def page_of(campaign, email="yearly@example.com"):
    return f"/c/{campaign.slug}/manage/{links.manage_token(organization_id=campaign.organization_id, email=email)}/"


def test_the_receipt_says_per_year_and_the_next_payment_a_year_on(client, yearly_on):
    mail.outbox.clear()
    monthly_gift(client, yearly_on, email="yearly@example.com", amount=12000, interval="year")
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert "120 $ per year" in message.body and "per month" not in message.body
    assert "Manage your yearly gift" in message.body and "Manage your yearly gift" in html
    # Stripe's period end, a year on (the subscription's item), is the next payment.
    next_year = (datetime.date.today() + datetime.timedelta(days=365)).strftime("%B %-d, %Y")
    assert f"Next payment: {next_year}" in message.body


def test_year_later_keeps_the_day_or_takes_the_months_last():
    assert year_later(datetime.date(2026, 3, 15)) == datetime.date(2027, 3, 15)
    assert year_later(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)


def test_the_manage_page_changes_and_stops_a_yearly_gift_as_yearly(client, yearly_on, stripe_calls):
    monthly_gift(client, yearly_on, email="yearly@example.com", amount=1500)  # a monthly one beside it
    sub = monthly_gift(client, yearly_on, email="yearly@example.com", amount=12000, interval="year")
    url = page_of(yearly_on)
    html = client.get(url).content.decode()
    assert "Monthly and yearly gifts" in html
    assert '<strong class="fr-amount">120 $</strong> per year' in html
    assert '<strong class="fr-amount">15 $</strong> per month' in html
    assert "New yearly amount" in html and "Stop after this year" in html and "Stop after this month" in html

    assert client.post(f"{url}gift/{sub}/", {"action": "amount", "amount": "150"}).status_code == 303
    [(name, kwargs)] = stripe_calls
    assert (name, kwargs["amount"], kwargs["interval"]) == ("subscription_amount_change", 15000, "year")
    assert "Change to 150 $ per year: waiting for confirmation from Stripe." in client.get(url).content.decode()
    confirmed = events.subscription_live(subscription_id=sub, amount=15000, interval="year")
    events.post_event(client, events.event("customer.subscription.updated", confirmed))
    assert '<strong class="fr-amount">150 $</strong> per year' in client.get(url).content.decode()

    assert client.post(f"{url}gift/{sub}/", {"action": "cancel_at_end"}).status_code == 303
    assert stripe_calls[-1] == ("subscription_cancel_at_period_end", {"subscription_id": sub})
    assert "Stop at the end of the paid year: waiting for confirmation" in client.get(url).content.decode()


def test_a_monthly_gifts_new_amount_stays_monthly(client, yearly_on, stripe_calls):
    sub = monthly_gift(client, yearly_on, email="yearly@example.com", amount=1500)
    client.post(f"{page_of(yearly_on)}gift/{sub}/", {"action": "amount", "amount": "20"})
    assert stripe_calls[0][1]["interval"] == "month"


def test_the_statement_marks_yearly_gifts(client, yearly_on):
    when = datetime.datetime(2026, 4, 2, 12, tzinfo=datetime.UTC)
    for kind, amount in (("yearly", 12000), ("monthly", 1500), ("one_time", 500)):
        DonationFactory(campaign=yearly_on, paid_at=when, period=period_for(campaign=yearly_on, when=when),
                        donor_email="yearly@example.com", kind=kind, amount=amount)  # fmt: skip
    html = client.get(f"{page_of(yearly_on)}statement/2026/").content.decode()
    assert html.count("(yearly)") == 1 and html.count("(monthly)") == 1
    assert '<strong class="st-total">140 $</strong>' in html


def test_the_owners_recurring_figure_counts_yearly_gifts_as_a_twelfth(client, yearly_on, alice):
    from fundraising.payments.models import SubscriptionState
    from fundraising.supporters.admin import MonthlyGiftAdmin, recurring_totals

    monthly_gift(client, yearly_on, email="m@example.com", amount=1500)
    yearly_sub = monthly_gift(client, yearly_on, email="y1@example.com", amount=12000, interval="year")
    monthly_gift(client, yearly_on, email="y2@example.com", amount=1300, interval="year")
    state = SubscriptionState.objects.get(subscription_id=yearly_sub)
    assert (state.interval, state.amount) == ("year", 12000)
    [row] = recurring_totals(user=alice)
    assert (row["amount"], row["count"]) == (yearly_on.format(1500 + (12000 + 1300) // 12), 3)
    assert MonthlyGiftAdmin.monthly(None, state) == "120 $ a year"


def test_a_declined_yearly_renewal_says_this_years_payment(client, yearly_on):
    sub = monthly_gift(client, yearly_on, email="yearly@example.com", amount=12000, interval="year")
    mail.outbox.clear()
    failed = events.invoice_failed(amount=12000, subscription=sub, email="yearly@example.com")
    events.post_event(client, events.event("invoice.payment_failed", failed))
    [message] = mail.outbox
    assert message.subject == "Your yearly gift to Keep the lights on could not be charged"
    assert "declined this year's payment" in message.body
    assert "declined this year's payment" in message.alternatives[0][0]
