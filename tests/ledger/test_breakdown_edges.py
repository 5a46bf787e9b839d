"""Edges of the breakdown's definition (fundraising/ledger/breakdown.py): what counts as a monthly supporter, when
one is new, and which streams the run-rate keeps at a month's end."""

import datetime
import uuid

import pytest
import time_machine
from django.utils import timezone

from fundraising.campaigns.models import Period
from fundraising.campaigns.services import period_for
from fundraising.ledger import offline
from fundraising.ledger.breakdown import period_breakdown, period_cancelled, periods_breakdown
from fundraising.ledger.services import donation_net_expression
from tests.factories import CampaignFactory, DonationFactory
from tests.ledger.breakdown_check import running_breakdown, summed_breakdown

OCTOBER = datetime.datetime(2026, 10, 15, 12, tzinfo=datetime.UTC)
NOVEMBER = datetime.datetime(2026, 11, 12, 12, tzinfo=datetime.UTC)


def breakdown(campaign, when):
    period = period_for(campaign=campaign, when=when)
    return period_breakdown(period_id=period.pk, net=donation_net_expression())


@pytest.mark.django_db
def test_a_monthly_gift_netting_one_minor_unit_is_a_supporter(campaign):
    with time_machine.travel(NOVEMBER, tick=False):
        DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_a", amount=1000,
                        amount_refunded=999, paid_at=NOVEMBER)  # fmt: skip
        figures = breakdown(campaign, NOVEMBER)
    assert (figures["monthly_supporters"], figures["new_monthly"], figures["monthly_raised"]) == (1, 1, 1)


@pytest.mark.django_db
def test_a_stream_giving_to_another_campaign_earlier_is_still_new_here(organization):
    first = CampaignFactory(organization=organization, slug="first")
    second = CampaignFactory(organization=organization, slug="second")
    with time_machine.travel(NOVEMBER, tick=False):
        DonationFactory(campaign=first, kind="monthly", donor_email="ada@example.com", amount=700, paid_at=OCTOBER)
        DonationFactory(campaign=second, kind="monthly", donor_email="ada@example.com", amount=900, paid_at=NOVEMBER)
        DonationFactory(campaign=first, kind="monthly", donor_email="ada@example.com", amount=700, paid_at=NOVEMBER)
        assert (breakdown(second, NOVEMBER)["monthly_supporters"], breakdown(second, NOVEMBER)["new_monthly"]) == (1, 1)
        assert (breakdown(first, NOVEMBER)["monthly_supporters"], breakdown(first, NOVEMBER)["new_monthly"]) == (1, 0)


@pytest.mark.django_db
def test_a_month_end_run_rate_keeps_a_stream_last_paid_the_month_before(campaign):
    first_of_october = datetime.datetime(2026, 10, 1, 9, tzinfo=datetime.UTC)  # the window's first day counts whole
    DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_a", amount=1500,
                    paid_at=first_of_october)  # fmt: skip
    DonationFactory(
        campaign=campaign,
        kind="monthly",
        stripe_subscription_id="sub_b",
        amount=400,
        paid_at=OCTOBER - datetime.timedelta(days=31),
    )  # September: lapsed by November
    with time_machine.travel(datetime.datetime(2026, 12, 5, tzinfo=datetime.UTC), tick=False):
        november = breakdown(campaign, NOVEMBER)
        month = Period.objects.get(campaign=campaign, start=datetime.date(2026, 11, 1))
        assert month.end == datetime.date(2026, 11, 30)
    assert november["recurring"] == 1500  # sub_a, due again in November: still in force
    assert november["monthly_supporters"] == 0  # no gift of it in November itself


@pytest.mark.django_db
def test_the_run_rate_counts_a_card_fees_cover_only_where_the_gift_counted_it(campaign):
    with time_machine.travel(NOVEMBER, tick=False):
        DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_a", amount=1100, fee_cover=100,
                        fee_cover_counted=False, paid_at=NOVEMBER)  # fmt: skip
        DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_b", amount=2100, fee_cover=100,
                        fee_cover_counted=True, paid_at=NOVEMBER)  # fmt: skip
        DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_c", amount=500,
                        amount_refunded=500, paid_at=NOVEMBER)  # fmt: skip
        assert breakdown(campaign, NOVEMBER)["recurring"] == 1000 + 2100  # sub_c, fully refunded, brings nothing


@pytest.mark.django_db
def test_the_run_rate_window_opens_at_midnight_in_the_campaigns_time_zone(organization):
    paris = CampaignFactory(organization=organization, slug="paris", time_zone="Europe/Paris", currency="eur")
    early = datetime.datetime(2026, 9, 30, 23, tzinfo=datetime.UTC)  # 1 October, 01:00 in Paris
    DonationFactory(campaign=paris, kind="monthly", stripe_subscription_id="sub_a", amount=1500, paid_at=early)
    with time_machine.travel(datetime.datetime(2026, 12, 5, tzinfo=datetime.UTC), tick=False):
        assert breakdown(paris, NOVEMBER)["recurring"] == 1500  # paid in Paris's October: in force at November's end


@pytest.mark.django_db
def test_a_reversed_standing_order_leaves_the_run_rate(campaign):
    with time_machine.travel(NOVEMBER, tick=False):
        entry = offline.offline_gift_record(campaign=campaign, amount=900, received_on=NOVEMBER.date(), method="cash",
                                            recorded_by=None, email="ada@example.com", kind="monthly")  # fmt: skip
        assert breakdown(campaign, NOVEMBER)["recurring"] == 900
        offline.offline_gift_reverse(donation=entry.donation, recorded_by=None)
        assert breakdown(campaign, NOVEMBER)["recurring"] == 0  # neither the gift nor its reversal stands


@pytest.mark.django_db
def test_of_a_streams_gifts_paid_at_one_instant_the_run_rate_takes_the_one_with_the_greater_id(campaign):
    top = 2**128 - 1
    with time_machine.travel(NOVEMBER, tick=False):
        # sub_a's greater id is written first, sub_b's last: whatever order ties are read in, one would be wrong
        for sub, gifts in (("sub_a", ((1500, top), (700, 1))), ("sub_b", ((700, 2), (1500, top - 1)))):
            for amount, pk in gifts:
                DonationFactory(id=uuid.UUID(int=pk), campaign=campaign, kind="monthly", stripe_subscription_id=sub,
                                amount=amount, paid_at=NOVEMBER)  # fmt: skip
        assert breakdown(campaign, NOVEMBER)["recurring"] == 1500 + 1500  # each stream's latest by (paid_at, id)


@pytest.mark.django_db
def test_a_yearly_gift_leaves_the_run_rate_a_year_later_on_the_campaigns_clock(organization):
    paris = CampaignFactory(organization=organization, slug="paris", time_zone="Europe/Paris", yearly_gifts=True)
    paid = datetime.datetime(2026, 3, 28, 2, tzinfo=datetime.UTC)  # 03:00 in Paris, the day before summer time
    DonationFactory(campaign=paris, kind="yearly", stripe_subscription_id="sub_y", amount=1200, paid_at=paid)
    a_year_on = datetime.datetime(2027, 3, 28, 1, 30, tzinfo=datetime.UTC)  # 03:30 in Paris, summer time
    with time_machine.travel(a_year_on, tick=False):
        assert breakdown(paris, a_year_on)["recurring"] == 0  # its year ended at 03:00 Paris time, 01:00 UTC
    with time_machine.travel(a_year_on - datetime.timedelta(hours=1), tick=False):
        assert breakdown(paris, a_year_on)["recurring"] == 1200 // 12  # 01:30 in Paris: its year not yet over


@pytest.mark.django_db
def test_the_run_rate_takes_a_streams_latest_payment_whatever_the_ids(campaign):
    with time_machine.travel(NOVEMBER, tick=False):
        DonationFactory(id=uuid.UUID(int=2**128 - 1), campaign=campaign, kind="monthly", stripe_subscription_id="sub_a",
                        amount=700, paid_at=OCTOBER)  # fmt: skip
        DonationFactory(id=uuid.UUID(int=1), campaign=campaign, kind="monthly", stripe_subscription_id="sub_a",
                        amount=1500, paid_at=NOVEMBER)  # fmt: skip
        assert breakdown(campaign, NOVEMBER)["recurring"] == 1500  # November's amount, not the greater id's


@pytest.mark.django_db
def test_a_batch_of_one_time_campaigns_costs_three_queries(organization, django_assert_num_queries):
    gifts = [DonationFactory(campaign=CampaignFactory(organization=organization, slug=f"once{n}"), amount=500 + n)
             for n in range(3)]  # fmt: skip
    quiet = period_for(campaign=CampaignFactory(organization=organization, slug="quiet"))  # a month without gifts
    with django_assert_num_queries(3):  # the periods, their money, which campaigns have recurring gifts
        figures = periods_breakdown(period_ids=[gift.period_id for gift in gifts] + [quiet.pk],
                                    net=donation_net_expression())  # fmt: skip
    assert [figures[gift.period_id]["one_time_raised"] for gift in gifts] == [500, 501, 502]
    assert {figures[gift.period_id]["recurring"] for gift in gifts} == {0}
    assert set(figures[quiet.pk].values()) == {0}  # every column there, each 0
    assert set(figures[quiet.pk]) == set(figures[gifts[0].period_id])


@pytest.mark.django_db
def test_standing_orders_without_a_subscription_are_one_supporter_per_address_or_per_gift(campaign):
    with time_machine.travel(NOVEMBER, tick=False):
        for email in ("ada@example.com", "grace@example.com", "", ""):
            offline.offline_gift_record(campaign=campaign, amount=900, received_on=NOVEMBER.date(), method="cash",
                                        recorded_by=None, email=email, kind="monthly")  # fmt: skip
        figures = breakdown(campaign, NOVEMBER)
    assert (figures["monthly_supporters"], figures["new_monthly"], figures["recurring"]) == (4, 4, 3600)


@pytest.mark.django_db
def test_a_refund_or_a_held_dispute_takes_the_gift_first_and_the_card_fees_cover_last(campaign):
    with time_machine.travel(NOVEMBER, tick=False):
        # 50 left of the gift: 50 of the cover held; nothing left; a dispute won: all of it held again.
        DonationFactory(campaign=campaign, amount=1100, fee_cover=100, amount_refunded=500, amount_disputed=550,
                        dispute_status="open", paid_at=NOVEMBER)  # fmt: skip
        DonationFactory(campaign=campaign, amount=1100, fee_cover=100, fee_cover_counted=True, amount_disputed=1100,
                        dispute_status="lost", paid_at=NOVEMBER)  # fmt: skip
        DonationFactory(campaign=campaign, amount=1100, fee_cover=100, fee_cover_counted=True, amount_disputed=1100,
                        dispute_status="won", paid_at=NOVEMBER)  # fmt: skip
        figures = breakdown(campaign, NOVEMBER)
        period = period_for(campaign=campaign, when=NOVEMBER)
    assert (figures["fee_covers"], figures["fee_covers_counted"]) == (50 + 100, 100)
    assert (figures["refunded"], figures["disputed"]) == (500, 550 + 1100)
    assert running_breakdown(period.pk) == summed_breakdown(period)


@pytest.mark.django_db
def test_a_reversed_gift_holds_no_card_fees_cover(campaign):
    # Neither the gift nor its reversal stands, so a cover on the gift is held no more; the month's covers' sums
    # then read no row, and are 0 (not NULL), as the running figures have them.
    with time_machine.travel(NOVEMBER, tick=False):
        gift = DonationFactory(campaign=campaign, amount=900, fee_cover=100, fee_cover_counted=True, source="offline",
                               method="cash", donor_email="ada@example.com", paid_at=NOVEMBER)  # fmt: skip
        held = breakdown(campaign, NOVEMBER)
        assert (held["fee_covers"], held["fee_covers_counted"]) == (100, 100)
        offline.offline_gift_reverse(donation=gift, recorded_by=None)
        figures = breakdown(campaign, NOVEMBER)
    assert (figures["fee_covers"], figures["fee_covers_counted"], figures["offline_raised"]) == (0, 0, 0)
    period = Period.objects.select_related("campaign").get(pk=gift.period_id)
    assert running_breakdown(period.pk) == summed_breakdown(period)


@pytest.mark.django_db
def test_a_subscription_is_cancelled_in_the_month_it_ended_on_the_campaigns_clock(organization):
    paris = CampaignFactory(organization=organization, slug="paris", time_zone="Europe/Paris")
    ends = {
        "sub_a": datetime.datetime(2026, 10, 31, 22, 59, tzinfo=datetime.UTC),  # 23:59 on 31 October in Paris
        "sub_b": datetime.datetime(2026, 10, 31, 23, tzinfo=datetime.UTC),  # midnight opening 1 November there
        "sub_c": datetime.datetime(2026, 11, 30, 22, 59, tzinfo=datetime.UTC),  # 23:59 on 30 November
        "sub_d": datetime.datetime(2026, 11, 30, 23, tzinfo=datetime.UTC),  # midnight opening 1 December
    }
    for sub, ended_at in ends.items():
        DonationFactory(campaign=paris, kind="monthly", stripe_subscription_id=sub, amount=500, paid_at=OCTOBER,
                        subscription_ended_at=ended_at)  # fmt: skip
    # Every gift of a subscription carries its end: one subscription, however many gifts.
    DonationFactory(campaign=paris, kind="monthly", stripe_subscription_id="sub_c", amount=500, paid_at=NOVEMBER,
                    subscription_ended_at=ends["sub_c"])  # fmt: skip
    # Another campaign's subscription is its own; a yearly one is no monthly supporter, so never a cancelled one.
    other = CampaignFactory(organization=organization, slug="other")
    DonationFactory(campaign=other, kind="monthly", stripe_subscription_id="sub_x", amount=500, paid_at=OCTOBER,
                    subscription_ended_at=NOVEMBER)  # fmt: skip
    DonationFactory(campaign=paris, kind="yearly", stripe_subscription_id="sub_y", amount=500, paid_at=OCTOBER,
                    subscription_ended_at=NOVEMBER)  # fmt: skip
    with time_machine.travel(datetime.datetime(2026, 12, 10, tzinfo=datetime.UTC), tick=False):
        months = [period_for(campaign=paris, when=OCTOBER.replace(month=month)) for month in (10, 11, 12)]
        assert [period_cancelled(month) for month in months] == [1, 2, 1]


def test_a_subscription_erased_before_its_stand_in_existed_counts_as_no_cancellation(campaign):
    """Gifts erased before 1.0 had their subscription id blanked, not replaced: such an ended gift cannot say whose
    subscription it was, so it counts as no cancellation (as it did), beside one that can."""
    now = timezone.now()
    legacy = DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="", subscription_ended_at=now,
                             donor_email="erased-0123456789abcdef0123@erased.invalid")  # fmt: skip
    DonationFactory(campaign=campaign, kind="monthly", stripe_subscription_id="sub_ended", subscription_ended_at=now)
    assert period_cancelled(Period.objects.get(pk=legacy.period_id)) == 1
