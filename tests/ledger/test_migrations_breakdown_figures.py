"""Upgrading (ledger 0011): each period's breakdown gets its running figures from the ledger (the money columns, the
new monthly supporters, each stream's standing gifts), so the open month's breakdown stored from them is the full
sum's (fundraising/ledger/tally.py)."""

import datetime

import time_machine

from fundraising.campaigns.models import Period
from fundraising.ledger.services import period_breakdown_store
from fundraising.ledger.verify import periods_verify_batch
from tests import migration_helpers
from tests.ledger.breakdown_check import assert_breakdown_matches_the_ledger
from tests.ledger.test_breakdown_flat_cost import COLUMNS

PREVIOUS = ("ledger", "0010_recurring_streams")
NOW = datetime.datetime(2026, 5, 20, 12, tzinfo=datetime.UTC)

previous_release = migration_helpers.previous_release(PREVIOUS)


def test_it_backfills_the_breakdown_figures(previous_release):
    apps = previous_release
    org = apps.get_model("campaigns", "Organization").objects.create(name="Alice's club")
    campaign = apps.get_model("campaigns", "Campaign").objects.create(
        organization=org, slug="lights", title="Lights", monthly_target=500000, time_zone="UTC"
    )
    OldPeriod = apps.get_model("campaigns", "Period")
    april = OldPeriod.objects.create(campaign=campaign, start=datetime.date(2026, 4, 1),
                                     end=datetime.date(2026, 4, 30), target=500000)  # fmt: skip
    may = OldPeriod.objects.create(campaign=campaign, start=datetime.date(2026, 5, 1),
                                   end=datetime.date(2026, 5, 31), target=500000)  # fmt: skip
    OldDonation = apps.get_model("ledger", "Donation")

    def gift(period, **fields):
        paid_at = datetime.datetime.combine(period.start, datetime.time(12), tzinfo=datetime.UTC)
        fields = {"campaign": campaign, "period": period, "amount": 1000, "currency": "usd", "kind": "monthly",
                  "status": "succeeded", "paid_at": paid_at, **fields}  # fmt: skip
        return OldDonation.objects.create(**fields)

    gift(april, stripe_subscription_id="sub_a", amount_refunded=1000, status="refunded")  # nets 0 in April
    gift(may, stripe_subscription_id="sub_a", fee_cover=100, fee_cover_counted=True)  # not new in May
    gift(may, stripe_subscription_id="sub_b", amount_disputed=1000, dispute_status="open", status="disputed")
    gift(may, stripe_subscription_id="sub_c", subscription_ended_at=NOW)  # new, and cancelled in May
    gift(may, donor_email="", amount=300)  # a stream of its own: new
    cancelled = gift(may, kind="one_time", source="offline", method="cash", donor_email="grace@example.com")
    gift(may, kind="one_time", source="offline", method="cash", donor_email="grace@example.com", reverses=cancelled,
         status="reversal")  # fmt: skip
    OldDonation.objects.filter(pk=cancelled.pk).update(reversed=True)
    gift(may, kind="yearly", stripe_subscription_id="sub_y", amount=2400, fee_cover=120)
    # The monthly supporters' running figures as the previous release kept them (its migration 0007's rule).
    OldNet = apps.get_model("ledger", "PeriodStreamNet")
    for key in ("sub_a", "sub_c"):
        OldNet.objects.create(period=may, key=key, net=1000)
    apps.get_model("ledger", "PeriodTally").objects.create(period=may, streams=3, created_at=NOW)

    migration_helpers.migrate()

    assert_breakdown_matches_the_ledger()
    with time_machine.travel(NOW, tick=False):
        period_breakdown_store(period_id=may.pk)
        stored = Period.objects.filter(pk=may.pk).values(*COLUMNS).get()
        assert stored["new_monthly"] == 2 and stored["monthly_supporters"] == 3
        assert stored["cancelled_monthly"] == 1
        assert (stored["fee_covers"], stored["fee_covers_counted"]) == (100 + 120, 100)
        assert stored["offline_raised"] == 0 and stored["disputed"] == 1000
        found = periods_verify_batch(period_ids=[april.pk, may.pk])
        assert not [what for what in found.values() if "breakdown" in what or "stream nets" in what], found
