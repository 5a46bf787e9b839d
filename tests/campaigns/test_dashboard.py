"""The campaign dashboard against a hand-computed two-year fixture, its tenant rules, and its query count
(the same at 10 and at 100,000 donations: it reads stored per-period figures, never the ledger)."""

import datetime

import pytest
import time_machine
from django.db import connection

from fundraising.campaigns import milestones
from fundraising.campaigns.dashboard import campaign_dashboard
from fundraising.campaigns.models import Period
from fundraising.campaigns.services import owner_add
from fundraising.ledger import offline
from fundraising.ledger.services import period_breakdown_store, period_recompute
from fundraising.ledger.verify import tallies_rebuild
from tests.factories import CampaignFactory, DonationFactory, MilestoneFactory, OrganizationFactory

NOW = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)
FIRST = datetime.date(2024, 12, 1)


def month_start(index):
    """Month `index` of the fixture: 0 is December 2024, 23 is November 2026."""
    year, month = divmod(FIRST.month - 1 + index, 12)
    return datetime.date(FIRST.year + year, month + 1, 1)


def on(index, day=5, hour=12):
    start = month_start(index)
    return datetime.datetime(start.year, start.month, day, hour, tzinfo=datetime.UTC)


@pytest.fixture
def history(organization, alice):
    """24 months in Paris: a one-time gift of 10 $ × (month + 1) each month; sub_a 20 $ a month from
    January 2025 to June 2026 (cancelled 20 June 2026); sub_b 50 $ a month from March 2026; a refunded
    gift, a lost dispute, a gift at Paris midnight, an offline transfer and a reversed one."""
    campaign = CampaignFactory(organization=organization, slug="hist", time_zone="Europe/Paris", monthly_target=40000)
    MilestoneFactory(campaign=campaign, amount=20000, label="Half")
    with time_machine.travel(NOW, tick=False):
        for index in range(24):
            DonationFactory(
                campaign=campaign, amount=1000 * (index + 1), paid_at=on(index), donor_email=f"o{index}@x.org"
            )
        ended = datetime.datetime(2026, 6, 20, tzinfo=datetime.UTC)
        for index in range(1, 19):
            DonationFactory(
                campaign=campaign,
                amount=2000,
                kind="monthly",
                paid_at=on(index, day=3),
                stripe_subscription_id="sub_a",
                donor_email="a@x.org",
                subscription_ended_at=ended,
            )
        for index in range(15, 24):
            DonationFactory(
                campaign=campaign,
                amount=5000,
                kind="monthly",
                paid_at=on(index, day=4),
                stripe_subscription_id="sub_b",
                donor_email="b@x.org",
            )
        DonationFactory(campaign=campaign, amount=3000, amount_refunded=3000, status="refunded", paid_at=on(2))
        DonationFactory(
            campaign=campaign,
            amount=4000,
            amount_disputed=4000,
            dispute_status="lost",
            status="disputed",
            paid_at=on(8),
        )
        # 22:30 UTC on 31 May 2025 is 00:30 on 1 June in Paris.
        DonationFactory(
            campaign=campaign, amount=500, paid_at=datetime.datetime(2025, 5, 31, 22, 30, tzinfo=datetime.UTC)
        )
        offline.offline_gift_record(
            campaign=campaign,
            amount=7000,
            received_on=datetime.date(2026, 10, 9),
            method="bank_transfer",
            recorded_by=alice,
        )
        wrong = offline.offline_gift_record(
            campaign=campaign, amount=8800, received_on=datetime.date(2026, 9, 9), method="cash", recorded_by=alice
        )
        offline.offline_gift_reverse(donation=wrong.donation, recorded_by=alice)
        for period in Period.objects.filter(campaign=campaign):
            milestones.crossings_record(period=period_recompute(period_id=period.pk))
            period_breakdown_store(period_id=period.pk)  # what the pipeline's debounced task stores
    return campaign


def by_label(board):
    return {m.period.start: m for m in board.months}


def test_it_shows_two_years_as_computed_by_hand(history):
    with time_machine.travel(NOW, tick=False):
        board = campaign_dashboard(campaign=history, months=24)
    months = by_label(board)
    assert [m.period.start for m in board.months] == [month_start(i) for i in range(24)]

    def row(index, *names):
        return tuple(getattr(months[month_start(index)], name) for name in names)

    assert row(0, "raised", "one_time_raised", "monthly_raised", "donors") == (1000, 1000, 0, 1)
    assert row(1, "raised", "new_monthly", "monthly_supporters", "recurring") == (4000, 1, 1, 2000)
    assert row(2, "raised", "refunded", "new_monthly", "recurring") == (5000, 3000, 0, 2000)
    assert row(6, "raised", "one_time_raised") == (7000 + 500 + 2000, 7500)  # the midnight gift is June's
    assert row(8, "raised", "disputed") == (11000, 4000)
    assert row(15, "raised", "new_monthly", "monthly_supporters", "recurring") == (23000, 1, 2, 7000)
    assert row(18, "raised", "cancelled_monthly", "recurring") == (26000, 1, 5000)  # sub_a ended in June
    assert row(19, "raised", "monthly_supporters", "recurring") == (25000, 1, 5000)
    assert row(21, "raised", "offline_raised") == (27000, 0)  # the reversed transfer takes itself back
    assert row(22, "raised", "offline_raised", "percent", "met") == (35000, 7000, 88, False)
    assert sum(m.raised for m in board.months) == 300000 + 18 * 2000 + 9 * 5000 + 500 + 7000

    assert row(23, "raised") == (29000,)
    pace = board.pace
    assert (pace.days_total, pace.days_elapsed, pace.days_left) == (30, 20, 10)
    assert (pace.projected, pace.on_track, pace.needed_per_day) == (43500, True, 1100)
    assert board.shown["change"] == "−60 $"  # 290 $ against October's 350 $
    assert board.shown["run_rate"] == "50 $"

    # "Half" (200 $) was reached in March 2026 and every month after it.
    assert [c["month"] for c in board.timeline] == [
        Period(campaign=history, start=month_start(i)).label for i in range(23, 14, -1)
    ]


def test_it_renders_the_chart_and_the_table(client, alice, history):
    client.force_login(alice)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/admin/campaigns/campaign/{history.pk}/dashboard/").content.decode()
        twelve = client.get(f"/admin/campaigns/campaign/{history.pk}/dashboard/?months=12").content.decode()
    assert page.count('<rect class="bar') == 24 and twelve.count('<rect class="bar') == 12
    assert '<th scope="row">JUNE 2026</th>' in page
    assert "<td>400 $</td><td>65%</td>" in page and "<td>260 $</td>" in page  # June 2026: target, %, raised
    assert '<th scope="col">Goal</th>' not in page  # an amount goal's figure is Raised: no repeated column
    assert "10 days left" in page and "on track" in page and "Needs 11 $ a day." in page
    assert "Monthly recurring run-rate" in page and "50 $" in page


def test_it_follows_the_tenant_rules(client, alice, bob, charlie, history):
    url = f"/admin/campaigns/campaign/{history.pk}/dashboard/"
    client.force_login(bob)
    assert client.get(url).status_code == 200
    other = OrganizationFactory(name="Charlie's club")
    owner_add(organization=other, user=charlie)
    client.force_login(charlie)
    assert client.get(url).status_code == 404


def bulk_ledger(campaign, count):
    """`count` paid gifts in the current month, written by PostgreSQL itself (seconds, not minutes)."""
    from fundraising.campaigns.services import period_for

    period = period_for(campaign=campaign)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO campaigns_donation (id, campaign_id, period_id, amount, currency, kind, status,
                amount_refunded, amount_disputed, dispute_status, public_name, anonymous, message, donor_email,
                stripe_charge_id, stripe_subscription_id, paid_at, created_at, updated_at, source, method, note)
            SELECT gen_random_uuid(), %s, %s, 1000 + n %% 500, 'usd', 'one_time', 'succeeded', 0, 0, '', '', true,
                '', 'd' || n || '@x.org', '', '', now(), now(), now(), 'stripe', '', ''
            FROM generate_series(1, %s) AS n
            """,
            [campaign.pk, period.pk, count],
        )
    tallies_rebuild(period_ids=[period.pk])  # rows written in bulk skip the ledger's running figures
    period_recompute(period_id=period.pk)
    period_breakdown_store(period_id=period.pk)  # what the pipeline's debounced task stores


@pytest.mark.postgres
@pytest.mark.parametrize("count", [10, 100_000])
def test_it_loads_in_a_fixed_number_of_queries(client, alice, campaign, postgres, count, django_assert_num_queries):
    bulk_ledger(campaign, count)
    client.force_login(alice)
    url = f"/admin/campaigns/campaign/{campaign.pk}/dashboard/"
    with django_assert_num_queries(QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert f"<td>{count}</td>" in response.content.decode()  # supporters this month, from the stored row


# Session, user, the campaign (scoped to the user), the user's and groups' permissions, the user's role, the
# sidebar's checks of which apps the user's roles open (organisations by role), the 24 periods, their milestone
# crossings: the same at any ledger size.
QUERIES = 10


def test_it_adds_a_goal_column_when_the_goal_is_not_money(client, alice, organization):
    people = CampaignFactory(organization=organization, slug="people", goal_kind="supporters", monthly_target=50)
    client.force_login(alice)
    page = client.get(f"/admin/campaigns/campaign/{people.pk}/dashboard/").content.decode()
    assert '<th scope="col">Goal</th>' in page


def test_it_shows_only_its_own_campaigns_figures_when_months_overlap(organization, alice):
    """Two campaigns of one organisation, the same months: each dashboard reads its own periods and crossings."""
    mine = CampaignFactory(organization=organization, slug="mine", monthly_target=40000)
    theirs = CampaignFactory(organization=organization, slug="theirs", monthly_target=90000)
    MilestoneFactory(campaign=theirs, amount=1000, label="Theirs reached")
    with time_machine.travel(NOW, tick=False):
        for index in (22, 23):
            DonationFactory(campaign=mine, amount=1500, paid_at=on(index), donor_email="m@x.org")
            DonationFactory(campaign=theirs, amount=70000, paid_at=on(index, hour=13), donor_email="t@x.org")
        for period in Period.objects.filter(campaign__in=[mine, theirs]):
            milestones.crossings_record(period=period_recompute(period_id=period.pk))
            period_breakdown_store(period_id=period.pk)
        board = campaign_dashboard(campaign=mine, months=12)
    months = by_label(board)
    assert [months[month_start(i)].raised for i in (22, 23)] == [1500, 1500]
    assert [months[month_start(i)].target for i in (22, 23)] == [40000, 40000]
    assert sum(m.raised for m in board.months) == 3000
    assert board.crossings == [] and board.timeline == []
