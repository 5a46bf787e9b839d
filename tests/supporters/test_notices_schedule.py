"""When things are due: a renewal a month (a year) on, a failed send's next try, and the sweep's batch."""

import datetime

from django.utils import timezone

from fundraising.supporters.models import Notice
from fundraising.supporters.notices import backoff_seconds, month_later, notices_due, year_later


def test_a_month_later_is_the_same_day_or_the_months_last():
    assert month_later(datetime.date(2025, 3, 31)) == datetime.date(2025, 4, 30)
    assert month_later(datetime.date(2024, 1, 31)) == datetime.date(2024, 2, 29)
    assert month_later(datetime.date(2025, 12, 15)) == datetime.date(2026, 1, 15)
    assert year_later(datetime.date(2024, 2, 29)) == datetime.date(2025, 2, 28)


def test_retries_back_off_to_an_hour_at_most():
    assert [backoff_seconds(n) for n in (0, 1, 2, 3, 7, 8, 20)] == [30, 30, 60, 120, 1920, 3600, 3600]


def test_the_sweep_takes_the_500_most_overdue_notices(campaign):
    old = timezone.now() - datetime.timedelta(hours=1)
    Notice.objects.bulk_create(
        Notice(key=f"manage-link:{n}", kind=Notice.Kind.MANAGE_LINK, campaign=campaign, email="ann@example.com",
               due_at=old + datetime.timedelta(seconds=n))
        for n in range(501)
    )  # fmt: skip
    due = notices_due()
    assert len(due) == 500 and Notice.objects.get(key="manage-link:500").pk not in due


def test_a_receipt_names_the_next_payment_unless_the_gift_ends(campaign):
    from fundraising.payments.models import SubscriptionState
    from fundraising.supporters.notices import next_payment_date
    from tests.factories import DonationFactory

    campaign.time_zone = "Asia/Tokyo"  # paid 31 January 20:00 UTC: 1 February there
    campaign.save()
    paid = datetime.datetime(2025, 1, 31, 20, tzinfo=datetime.UTC)
    monthly = DonationFactory(campaign=campaign, kind="monthly", paid_at=paid, stripe_subscription_id="sub_m")
    yearly = DonationFactory(campaign=campaign, kind="yearly", paid_at=paid, stripe_subscription_id="sub_y")
    assert next_payment_date(monthly) == "March 1, 2025"  # no word from Stripe yet: a month on, in Tokyo
    assert next_payment_date(yearly) == "February 1, 2026"

    state = SubscriptionState.objects.create(subscription_id="sub_m", status="active", current_period_end=paid)
    assert next_payment_date(monthly) == "March 1, 2025"  # a period end not after the payment is not the next one
    SubscriptionState.objects.filter(pk=state.pk).update(current_period_end=paid + datetime.timedelta(days=30))
    assert next_payment_date(monthly) == "March 3, 2025"  # Stripe's period end, in Tokyo
    SubscriptionState.objects.filter(pk=state.pk).update(cancel_at_period_end=True)
    assert next_payment_date(monthly) == ""
    SubscriptionState.objects.filter(pk=state.pk).update(cancel_at_period_end=False, status="canceled")
    assert next_payment_date(monthly) == ""
    yearly.subscription_ended_at = paid
    assert next_payment_date(yearly) == ""


def test_the_next_payment_is_dated_in_the_campaigns_language(campaign):
    from fundraising.supporters.notices import next_payment_date
    from tests.factories import DonationFactory

    campaign.locale = "fr_FR"
    campaign.save()
    paid = datetime.datetime(2025, 1, 15, 12, tzinfo=datetime.UTC)
    monthly = DonationFactory(campaign=campaign, kind="monthly", paid_at=paid, stripe_subscription_id="sub_fr")
    assert next_payment_date(monthly) == "15 février 2025"
