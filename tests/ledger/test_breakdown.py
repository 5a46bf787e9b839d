"""period_recompute stores each month's breakdown: one-time vs monthly vs offline money, monthly supporters
(new, cancelled), the recurring run-rate, refunds and disputes."""

import datetime

import pytest
import time_machine

from fundraising.campaigns.models import Period
from fundraising.campaigns.services import period_for
from fundraising.ledger import offline
from fundraising.ledger.breakdown import period_breakdown
from fundraising.ledger.services import (
    donation_net_expression,
    period_breakdown_store,
    period_recompute,
    periods_breakdown_store,
)
from tests.factories import CampaignFactory, DonationFactory


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


@pytest.fixture
def paris(organization):
    return CampaignFactory(organization=organization, slug="paris", time_zone="Europe/Paris", currency="eur")


def monthly(campaign, sub, amount, paid_at, **kwargs):
    return DonationFactory(
        campaign=campaign,
        kind="monthly",
        stripe_subscription_id=sub,
        amount=amount,
        paid_at=paid_at,
        donor_email=f"{sub}@x.org",
        **kwargs,
    )


NAMES = [
    "one_time_raised",
    "monthly_raised",
    "offline_raised",
    "monthly_supporters",
    "new_monthly",
    "cancelled_monthly",
    "recurring",
    "refunded",
    "disputed",
]


def stored(period_ids):
    return {p.pk: {name: getattr(p, name) for name in NAMES} for p in Period.objects.filter(pk__in=period_ids)}


def test_a_batch_stores_what_each_month_alone_stores(paris, organization):
    """The rollover (and the debounced task, as a batch of one) stores breakdowns in batches: the same figures
    as the full per-month sums, for campaigns with monthly gifts (figures of their own) and without (their
    monthly figures are 0)."""
    once = CampaignFactory(organization=organization, slug="once")
    quiet = CampaignFactory(organization=organization, slug="quiet")
    monthly(paris, "sub_a", 1000, utc(2026, 10, 3))
    monthly(paris, "sub_a", 1000, utc(2026, 11, 3))
    monthly(paris, "sub_c", 4000, utc(2026, 10, 9), subscription_ended_at=utc(2026, 11, 10))
    DonationFactory(campaign=paris, amount=3000, paid_at=utc(2026, 11, 5), amount_refunded=1000)
    DonationFactory(campaign=once, amount=2500, paid_at=utc(2026, 11, 6), amount_refunded=500)
    DonationFactory(campaign=once, amount=800, paid_at=utc(2026, 11, 7), amount_disputed=800, dispute_status="lost")
    DonationFactory(campaign=once, amount=900, paid_at=utc(2026, 10, 7))
    with time_machine.travel(utc(2026, 11, 20), tick=False):
        period_for(campaign=quiet)
        ids = list(Period.objects.filter(campaign__in=[paris, once, quiet]).values_list("pk", flat=True))
        assert len(ids) == 5
        net = donation_net_expression()
        alone = {pk: {name: period_breakdown(period_id=pk, net=net)[name] for name in NAMES} for pk in ids}
        Period.objects.filter(pk__in=ids).update(**dict.fromkeys(NAMES, 7))  # anything the batch must overwrite
        periods_breakdown_store(period_ids=ids)
        assert stored(ids) == alone
    november = Period.objects.get(campaign=once, start="2026-11-01")
    assert (alone[november.pk]["one_time_raised"], alone[november.pk]["recurring"]) == (2000, 0)
    assert alone[Period.objects.get(campaign=paris, start="2026-11-01").pk]["recurring"] == 1000


def figures(campaign, start):
    period = Period.objects.get(campaign=campaign, start=start)
    period_recompute(period_id=period.pk)
    period_breakdown_store(period_id=period.pk)  # what the pipeline's breakdown task stores
    period = Period.objects.get(pk=period.pk)
    names = [
        "raised",
        "one_time_raised",
        "monthly_raised",
        "offline_raised",
        "monthly_supporters",
        "new_monthly",
        "cancelled_monthly",
        "recurring",
        "refunded",
        "disputed",
    ]
    return {name: getattr(period, name) for name in names}


def test_it_breaks_a_month_down(paris, alice):
    october, november = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
    monthly(paris, "sub_a", 1000, utc(2026, 10, 3))
    monthly(paris, "sub_a", 1000, utc(2026, 11, 3))  # renewed: not new in November
    monthly(paris, "sub_b", 2500, utc(2026, 10, 31, 23, 30))  # 00:30 on 1 November in Paris: new in November
    monthly(paris, "sub_c", 4000, utc(2026, 10, 9), subscription_ended_at=utc(2026, 11, 10))  # cancelled
    monthly(paris, "sub_d", 700, utc(2026, 11, 12), amount_refunded=700, status="refunded")  # refunded at once
    DonationFactory(
        campaign=paris,
        amount=5000,
        paid_at=utc(2026, 11, 4),
        amount_disputed=5000,
        dispute_status="open",
        status="disputed",
    )
    DonationFactory(
        campaign=paris, amount=3000, paid_at=utc(2026, 11, 5), amount_refunded=1000, status="partially_refunded"
    )
    with time_machine.travel(utc(2026, 11, 20), tick=False):
        offline.offline_gift_record(
            campaign=paris,
            amount=6000,
            received_on=datetime.date(2026, 11, 6),
            method="cheque",
            recorded_by=alice,
        )
        wrong = offline.offline_gift_record(
            campaign=paris,
            amount=999,
            received_on=datetime.date(2026, 11, 7),
            method="cash",
            recorded_by=None,
            kind="monthly",
        )
        offline.offline_gift_reverse(donation=wrong.donation, recorded_by=None)
        assert figures(paris, november) == {
            "raised": 1000 + 2500 + 0 + 0 + 2000 + 6000 + 999 - 999,
            "one_time_raised": 2000 + 6000,
            "monthly_raised": 1000 + 2500,
            "offline_raised": 6000,
            "monthly_supporters": 2,  # a, b (d refunded, the offline monthly one reversed)
            "new_monthly": 1,  # b
            "cancelled_monthly": 1,  # c
            "recurring": 1000 + 2500,  # a and b; c ended, d refunded
            "refunded": 700 + 1000,
            "disputed": 5000,
        }
        assert figures(paris, october)["monthly_supporters"] == 2  # a, c
        assert figures(paris, october)["new_monthly"] == 2
    # October's run-rate is as it stood at October's end: a and c active, b not yet started.
    assert figures(paris, october)["recurring"] == 1000 + 4000


def test_it_stores_the_breakdown_through_the_pipeline(client, campaign, widget_root):
    """A paid gift reaches the breakdown by the pipeline's own task, not by the test calling the service."""
    from tests.stripe_standin import events

    events.post_event(client, events.event("checkout.session.completed", events.checkout_session(amount=4200)))
    period = Period.objects.get(campaign=campaign)
    assert (period.raised, period.one_time_raised) == (4200, 4200)


def test_the_last_local_day_of_a_month_belongs_to_that_month(paris):
    # 30 November 23:00 in Paris is 22:00 UTC: still November, however the window's end is computed.
    last_evening = utc(2026, 11, 30, 22)
    for paid in (utc(2026, 10, 30), utc(2026, 11, 2)):  # ends that evening (every row of it is marked)
        monthly(paris, "sub_e", 1800, paid, subscription_ended_at=last_evening)
    monthly(paris, "sub_f", 1200, utc(2026, 11, 30, 21))  # paid that evening, still running
    with time_machine.travel(utc(2026, 12, 5), tick=False):
        november = figures(paris, datetime.date(2026, 11, 1))
        assert Period.objects.get(campaign=paris, start=datetime.date(2026, 11, 1)).end == datetime.date(2026, 11, 30)
    assert november["cancelled_monthly"] == 1  # sub_e
    assert november["recurring"] == 1200  # sub_f; sub_e ended before the month's end
    assert november["monthly_supporters"] == 2
