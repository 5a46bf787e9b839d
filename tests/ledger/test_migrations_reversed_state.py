"""Upgrading (ledger 0005): a gift an offline reversal cancels gets its stored `reversed` state, and each
month's monthly supporters become running figures equal to what the breakdown counts."""

import datetime

from fundraising.campaigns.models import Period
from fundraising.ledger.breakdown import period_streams
from fundraising.ledger.models import Donation, PeriodStreamNet
from fundraising.ledger.services import donation_net_expression
from fundraising.ledger.tally import period_streams_sum
from tests import migration_helpers

PREVIOUS = ("ledger", "0004_supporters_wall")
PAID = datetime.datetime(2026, 5, 10, 12, tzinfo=datetime.UTC)


previous_release = migration_helpers.previous_release(PREVIOUS)


def test_it_stores_the_reversed_state_and_counts_the_monthly_supporters(previous_release):
    apps = previous_release
    org = apps.get_model("campaigns", "Organization").objects.create(name="Alice's club")
    campaign = apps.get_model("campaigns", "Campaign").objects.create(
        organization=org, slug="lights", title="Lights", monthly_target=500000
    )
    period = apps.get_model("campaigns", "Period").objects.create(
        campaign=campaign, start=datetime.date(2026, 5, 1), end=datetime.date(2026, 5, 31), target=500000
    )
    OldDonation = apps.get_model("ledger", "Donation")

    def gift(**fields):
        fields = {"campaign": campaign, "period": period, "amount": 1000, "currency": "usd", "kind": "monthly",
                  "status": "succeeded", "paid_at": PAID, **fields}  # fmt: skip
        return OldDonation.objects.create(**fields)

    gift(stripe_subscription_id="sub_a", donor_email="ada@example.com")
    gift(stripe_subscription_id="sub_a", donor_email="ada@example.com", amount=500)  # the same stream
    gift(donor_email="", amount=300)  # a stream of its own
    gift(stripe_subscription_id="sub_b", amount_refunded=1000, status="refunded")  # nets nothing
    cancelled = gift(source="offline", method="cash", donor_email="grace@example.com")
    gift(source="offline", method="cash", donor_email="grace@example.com", reverses=cancelled, status="reversal")
    gift(kind="one_time", donor_email="lin@example.com")

    migration_helpers.migrate()

    assert list(Donation.objects.filter(reversed=True).values_list("pk", flat=True)) == [cancelled.pk]
    counted = period_streams(Period.objects.get(pk=period.pk), donation_net_expression())["monthly_supporters"]
    assert period_streams_sum(period_id=period.pk) == counted == 2
    # sub_b nets nothing but has a standing gift: a row since ledger 0011 (its first month: the breakdown's new_monthly)
    assert set(PeriodStreamNet.objects.values_list("key", "net")) == {("sub_a", 1500), ("sub_b", 0)}
