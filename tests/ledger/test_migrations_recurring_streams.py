"""Upgrading (ledger 0010): each campaign's recurring streams get their running figures from the ledger, so the open
month's run-rate from them is the full read's (fundraising/ledger/recurring.py)."""

import datetime

import time_machine

from fundraising.campaigns.models import Period
from fundraising.ledger.breakdown import period_run_rate
from fundraising.ledger.models import RecurringMonth, RecurringStream
from fundraising.ledger.recurring import recurring_differences, run_rate_now
from tests import migration_helpers

PREVIOUS = ("ledger", "0009_donation_fee_cover")
NOW = datetime.datetime(2026, 5, 20, 12, tzinfo=datetime.UTC)


previous_release = migration_helpers.previous_release(PREVIOUS)


def test_it_backfills_the_run_rate_figures(previous_release):
    apps = previous_release
    org = apps.get_model("campaigns", "Organization").objects.create(name="Alice's club")
    campaign = apps.get_model("campaigns", "Campaign").objects.create(
        organization=org, slug="lights", title="Lights", monthly_target=500000, time_zone="Europe/Paris"
    )
    OldPeriod = apps.get_model("campaigns", "Period")
    periods = {
        (year, month): OldPeriod.objects.create(
            campaign=campaign, start=datetime.date(year, month, 1), end=last, target=500000
        )
        for year, month, last in [
            (2025, 6, datetime.date(2025, 6, 30)),
            (2026, 4, datetime.date(2026, 4, 30)),
            (2026, 5, datetime.date(2026, 5, 31)),
        ]  # fmt: skip
    }
    OldDonation = apps.get_model("ledger", "Donation")

    def gift(paid_at, **fields):
        period = periods[paid_at.year, paid_at.month]
        fields = {"campaign": campaign, "period": period, "amount": 1000, "currency": "usd", "kind": "monthly",
                  "status": "succeeded", "paid_at": paid_at, **fields}  # fmt: skip
        return OldDonation.objects.create(**fields)

    gift(datetime.datetime(2026, 4, 3, tzinfo=datetime.UTC), stripe_subscription_id="sub_a")
    gift(datetime.datetime(2026, 5, 3, tzinfo=datetime.UTC), stripe_subscription_id="sub_a", amount=500)  # latest
    gift(datetime.datetime(2026, 4, 9, tzinfo=datetime.UTC), stripe_subscription_id="sub_b", fee_cover=100)
    gift(datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC), stripe_subscription_id="sub_c",
         subscription_ended_at=datetime.datetime(2026, 5, 10, tzinfo=datetime.UTC))  # fmt: skip
    gift(datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC), kind="yearly", stripe_subscription_id="sub_y", amount=2400)
    gift(datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC), kind="yearly", stripe_subscription_id="sub_z", amount=1200,
         amount_refunded=1200, status="refunded")  # fmt: skip

    migration_helpers.migrate()

    period = Period.objects.select_related("campaign").get(pk=periods[2026, 5].pk)
    assert RecurringStream.objects.count() == 5
    assert RecurringMonth.objects.filter(interval="monthly").count() == 2  # sub_c ended: in no month's sum
    with time_machine.travel(NOW, tick=False):
        assert run_rate_now(period, NOW) == period_run_rate(period, now=NOW) == 500 + 900 + 2400 // 12
        assert recurring_differences([campaign.pk]) == []
