"""Yearly gifts in the breakdown: whole in the month they are paid, a twelfth of the run-rate for the year they
cover (fundraising/ledger/breakdown.py period_run_rate), floor-divided once over the yearly sum."""

import datetime
import zoneinfo

import pytest
import time_machine

from fundraising.campaigns.models import GoalKind, Period
from fundraising.campaigns.services import period_for
from fundraising.ledger.breakdown import period_breakdown, period_run_rate, year_before
from fundraising.ledger.services import donation_net_expression, donation_store, period_recompute
from tests.factories import CampaignFactory, DonationFactory


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


@pytest.fixture
def yearly_campaign(organization):
    return CampaignFactory(organization=organization, slug="yearly", yearly_gifts=True)


def yearly(campaign, sub, amount, paid_at, **kwargs):
    return DonationFactory(campaign=campaign, kind="yearly", stripe_subscription_id=sub, amount=amount,
                           paid_at=paid_at, donor_email=f"{sub}@x.org", **kwargs)  # fmt: skip


def run_rate(campaign, year, month, *, now):
    period = period_for(campaign=campaign, when=utc(year, month, 10))
    return period_run_rate(Period.objects.select_related("campaign").get(pk=period.pk), now=now)


LATER = utc(2030, 1, 1)  # every month below is closed by then: its run-rate is read at its end


def test_it_counts_a_yearly_gift_as_a_twelfth_in_exactly_the_twelve_months_it_covers(yearly_campaign):
    yearly(yearly_campaign, "sub_y", 1200, utc(2026, 3, 15))
    rates = {(y, m): run_rate(yearly_campaign, y, m, now=LATER) for y, m in
             [(2026, 2), (2026, 3), (2026, 9), (2027, 2), (2027, 3)]}  # fmt: skip
    assert rates == {(2026, 2): 0, (2026, 3): 100, (2026, 9): 100, (2027, 2): 100, (2027, 3): 0}


def test_a_renewal_a_year_later_keeps_it_in_force_at_its_new_amount(yearly_campaign):
    yearly(yearly_campaign, "sub_y", 1200, utc(2026, 3, 15))
    yearly(yearly_campaign, "sub_y", 2400, utc(2027, 3, 15))
    assert run_rate(yearly_campaign, 2027, 3, now=LATER) == 200  # the latest payment of the stream, once
    assert run_rate(yearly_campaign, 2028, 2, now=LATER) == 200
    assert run_rate(yearly_campaign, 2028, 3, now=LATER) == 0


def test_the_open_month_keeps_it_until_the_anniversary_passes_unpaid(yearly_campaign):
    """No dip before the renewal day: in force for a year after the payment, counted at `now` in the open month."""
    yearly(yearly_campaign, "sub_y", 1200, utc(2026, 3, 15, 12))
    assert run_rate(yearly_campaign, 2027, 3, now=utc(2027, 3, 10)) == 100
    assert run_rate(yearly_campaign, 2027, 3, now=utc(2027, 3, 15, 11)) == 100
    assert run_rate(yearly_campaign, 2027, 3, now=utc(2027, 3, 15, 13)) == 0


def test_it_floor_divides_the_sum_of_the_yearly_amounts_once(yearly_campaign):
    for index, amount in enumerate([100, 100, 100, 1001]):
        yearly(yearly_campaign, f"sub_{index}", amount, utc(2026, 5, 2 + index))
    DonationFactory(campaign=yearly_campaign, kind="monthly", stripe_subscription_id="sub_m", amount=999,
                    paid_at=utc(2026, 5, 9))  # fmt: skip
    # 1301 // 12 = 108 (a twelfth of each, floored, would be 8 + 8 + 8 + 83 = 107); monthly gifts whole.
    assert run_rate(yearly_campaign, 2026, 5, now=LATER) == 999 + 108


def test_a_refunded_or_ended_yearly_gift_leaves_the_run_rate(yearly_campaign):
    refunded = yearly(yearly_campaign, "sub_r", 1200, utc(2026, 3, 1))
    partly = yearly(yearly_campaign, "sub_p", 2400, utc(2026, 3, 2))
    yearly(yearly_campaign, "sub_c", 3600, utc(2026, 3, 3), subscription_ended_at=utc(2026, 6, 20))
    assert run_rate(yearly_campaign, 2026, 3, now=LATER) == (1200 + 2400 + 3600) // 12
    refunded.amount_refunded = 1200
    donation_store(donation=refunded)
    partly.amount_refunded = 400  # a partial refund keeps the promise in force, as for monthly gifts
    donation_store(donation=partly)
    assert run_rate(yearly_campaign, 2026, 3, now=LATER) == (2400 + 3600) // 12
    assert run_rate(yearly_campaign, 2026, 6, now=LATER) == 2400 // 12  # sub_c stopped on 20 June
    assert run_rate(yearly_campaign, 2026, 6, now=utc(2026, 6, 19)) == (2400 + 3600) // 12


def test_it_counts_whole_in_the_month_paid_and_makes_no_monthly_supporter(yearly_campaign):
    yearly(yearly_campaign, "sub_y", 1200, utc(2026, 3, 15))
    DonationFactory(campaign=yearly_campaign, kind="monthly", stripe_subscription_id="sub_m", amount=500,
                    paid_at=utc(2026, 3, 16), donor_email="m@x.org")  # fmt: skip
    DonationFactory(campaign=yearly_campaign, amount=300, paid_at=utc(2026, 3, 17))
    march = period_for(campaign=yearly_campaign, when=utc(2026, 3, 20))
    with time_machine.travel(utc(2026, 4, 2), tick=False):
        recomputed = period_recompute(period_id=march.pk)
        figures = period_breakdown(period_id=march.pk, net=donation_net_expression())
    assert (recomputed.raised, recomputed.donors) == (2000, 3)
    assert {name: figures[name] for name in ("one_time_raised", "monthly_raised", "yearly_raised")} == {
        "one_time_raised": 300, "monthly_raised": 500, "yearly_raised": 1200,
    }  # fmt: skip
    assert (figures["monthly_supporters"], figures["new_monthly"], figures["recurring"]) == (1, 1, 500 + 100)


def test_a_recurring_goal_counts_a_yearly_gift_as_a_twelfth(organization):
    campaign = CampaignFactory(organization=organization, slug="rec", yearly_gifts=True,
                               goal_kind=GoalKind.RECURRING, monthly_target=10000)  # fmt: skip
    with time_machine.travel(utc(2026, 3, 20), tick=False):
        gift = yearly(campaign, "sub_y", 6000, utc(2026, 3, 15))
        period = period_recompute(period_id=gift.period_id)
    assert (period.recurring, period.goal_current, period.raised) == (500, 500, 6000)


def test_year_before_is_the_same_local_instant_a_year_earlier():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert year_before(utc(2028, 2, 29, 10), datetime.UTC) == utc(2027, 2, 28, 10)
    # 1 April 00:00 in Paris (summer time) a year before is 1 April 00:00 in Paris again.
    assert year_before(datetime.datetime(2027, 4, 1, tzinfo=paris), paris) == datetime.datetime(
        2026, 4, 1, tzinfo=paris
    )
