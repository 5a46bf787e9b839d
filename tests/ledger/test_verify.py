"""The background verification sums the ledger in full, repairs running figures that differ and reports it."""

import logging

from django.db import transaction

from fundraising.campaigns.models import Period
from fundraising.campaigns.services import period_for
from fundraising.ledger import verify
from fundraising.ledger.models import Donation, PeriodDonorNet, PeriodStreamNet, PeriodTally
from fundraising.ledger.services import ledger_totals, period_recompute
from fundraising.ledger.tally import period_tally_sum
from fundraising.pipeline import tasks
from tests.factories import DonationFactory
from tests.ledger.breakdown_check import assert_breakdown_matches_the_ledger, running_breakdown


def test_it_finds_nothing_when_every_change_went_through_the_ledger(db, campaign):
    DonationFactory(campaign=campaign, amount=500, donor_email="ada@example.com")
    DonationFactory(campaign=campaign, amount=700, donor_email="ada@example.com")
    assert verify.periods_verify() == 0
    assert verify.verify_report()["repaired_total"] == 0


def test_it_repairs_a_write_that_bypassed_the_ledger_service(db, campaign, caplog):
    gift = DonationFactory(campaign=campaign, amount=500, donor_email="ada@example.com")
    DonationFactory(campaign=campaign, amount=300, donor_email="")
    Donation.objects.filter(pk=gift.pk).update(amount_refunded=500)  # no running figures moved
    period_id = gift.period_id
    assert period_tally_sum(period_id=period_id) == (800, 2) != ledger_totals(period_id=period_id) == (300, 1)

    with caplog.at_level(logging.ERROR), transaction.atomic():
        assert verify.periods_verify() == 1
    assert f"period {period_id}: running figures repaired" in caplog.text
    assert period_tally_sum(period_id=period_id) == (300, 1)
    assert not PeriodDonorNet.objects.filter(email="ada@example.com").exists()
    assert (period_recompute(period_id=period_id).raised, Period.objects.get().donors) == (300, 1)
    assert verify.verify_report()["repaired_total"] == 1


def test_it_repairs_lost_figures_and_donor_nets(db, campaign):
    DonationFactory(campaign=campaign, amount=500, donor_email="ada@example.com")
    DonationFactory(campaign=campaign, amount=200, donor_email="grace@example.com")
    PeriodTally.objects.all().delete()
    PeriodDonorNet.objects.filter(email="ada@example.com").update(net=1)
    verify.periods_verify()
    period_id = Period.objects.get().pk
    assert period_tally_sum(period_id=period_id) == ledger_totals(period_id=period_id) == (700, 2)
    nets = dict(PeriodDonorNet.objects.values_list("email", "net"))
    assert nets == {"ada@example.com": 500, "grace@example.com": 200}
    # The next change after a repair moves the figures from the right place.
    DonationFactory(campaign=campaign, amount=100, donor_email="ada@example.com")
    assert period_tally_sum(period_id=period_id) == (800, 2)


def test_it_shows_the_counter_in_healthz(client, db, campaign, settings):
    settings.HEALTHZ_TOKEN = "healthz-operator-token"
    gift = DonationFactory(campaign=campaign, amount=500)
    Donation.objects.filter(pk=gift.pk).update(amount=900)
    tasks.periods_verify_task()
    operator = {"Authorization": "Bearer healthz-operator-token"}
    report = client.get("/healthz", headers=operator).json()["ledger"]
    assert report["ok"]
    assert report["verification"]["repaired_total"] == 1
    assert report["verification"]["periods_checked"] == 1


def test_it_rebuilds_every_figure_from_a_ledger_loaded_in_bulk(db, campaign):
    DonationFactory(campaign=campaign, amount=500, donor_email="ada@example.com")
    DonationFactory(campaign=campaign, amount=250, donor_email="ada@example.com")
    DonationFactory(campaign=campaign, amount=100, donor_email="")
    PeriodTally.objects.all().delete()
    PeriodDonorNet.objects.all().delete()
    verify.tallies_rebuild()
    period_id = Period.objects.get().pk
    assert period_tally_sum(period_id=period_id) == (850, 2)
    assert dict(PeriodDonorNet.objects.values_list("email", "net")) == {"ada@example.com": 750}
    assert verify.periods_verify() == 0


def test_a_row_without_a_payment_time_counts_in_no_sum(db, campaign):
    """A row filed under a month but never paid (an unfinished checkout kept by an older release) adds to
    neither the full sum, the running figures nor the stored total, so the verification finds nothing."""
    paid = DonationFactory(campaign=campaign, amount=500, donor_email="ada@example.com")
    DonationFactory(campaign=campaign, amount=900, paid_at=None, status=Donation.Status.PENDING, period=paid.period)
    period_id = paid.period_id
    assert ledger_totals(period_id=period_id) == period_tally_sum(period_id=period_id) == (500, 1)
    assert verify.periods_verify() == 0
    assert (period_recompute(period_id=period_id).raised, Period.objects.get().donors) == (500, 1)


def test_each_gift_without_an_email_is_a_donor_of_its_own(db, campaign):
    """Two gifts without an e-mail are two supporters (nothing says they are one person); two with the same
    e-mail are one. The full sum and the running figures agree on it."""
    first = DonationFactory(campaign=campaign, amount=300, donor_email="")
    DonationFactory(campaign=campaign, amount=200, donor_email="")
    DonationFactory(campaign=campaign, amount=100, donor_email="ada@example.com")
    DonationFactory(campaign=campaign, amount=100, donor_email="ada@example.com")
    DonationFactory(campaign=campaign, amount=1, donor_email="")  # one cent is a supporter too
    period_id = first.period_id
    assert ledger_totals(period_id=period_id) == period_tally_sum(period_id=period_id) == (701, 4)
    assert verify.periods_verify() == 0


def test_a_month_without_a_counted_gift_sums_to_zero(db, campaign):
    """A month with no gift, or only an unpaid one: the full sum is (0, 0), as the running figures say."""
    period = period_for(campaign=campaign)
    assert ledger_totals(period_id=period.pk) == period_tally_sum(period_id=period.pk) == (0, 0)
    DonationFactory(campaign=campaign, amount=900, paid_at=None, status=Donation.Status.PENDING, period=period)
    assert ledger_totals(period_id=period.pk) == (0, 0)
    assert verify.periods_verify() == 0


def test_a_row_loaded_without_every_field_moves_the_figures_from_what_it_stored(db, campaign):
    """A caller that loads a gift with deferred fields (no snapshot of its contribution) and settles it:
    the ledger reads the stored row again, so the running figures move by the difference, not the whole."""
    from fundraising.ledger.services import donation_settle

    gift = DonationFactory(campaign=campaign, amount=1000, donor_email="ada@example.com")
    with transaction.atomic():
        partial = Donation.objects.select_for_update().only("pk", "amount", "amount_refunded", "status").get(pk=gift.pk)
        assert not hasattr(partial, "_loaded")
        partial.amount_refunded = 400
        donation_settle(donation=partial)
    assert period_tally_sum(period_id=gift.period_id) == ledger_totals(period_id=gift.period_id) == (600, 1)
    assert verify.periods_verify() == 0


def test_the_repair_counter_adds_up_across_runs(db, campaign):
    # The counter is what an operator watches between runs: a second repair must not replace the first.
    first = DonationFactory(campaign=campaign, amount=500, donor_email="ada@example.com")
    second = DonationFactory(campaign=campaign, amount=700, donor_email="grace@example.com")
    Donation.objects.filter(pk=first.pk).update(amount=900)
    assert verify.periods_verify() == 1
    assert verify.periods_verify() == 0  # nothing left to repair: the total stays
    report = verify.verify_report()
    assert (report["repaired_last_run"], report["repaired_total"]) == (0, 1)
    Donation.objects.filter(pk=second.pk).update(amount=100)
    assert verify.periods_verify() == 1
    report = verify.verify_report()
    assert (report["repaired_last_run"], report["repaired_total"], report["periods_checked"]) == (1, 2, 1)


def test_a_fully_refunded_gift_sums_to_nothing(db, campaign):
    gift = DonationFactory(campaign=campaign, amount=500, donor_email="ada@example.com")
    with transaction.atomic():
        from fundraising.ledger.services import donation_settle

        gift = Donation.objects.select_for_update().get(pk=gift.pk)
        gift.amount_refunded = 500
        donation_settle(donation=gift)
    assert verify.ledger_totals_by_period(period_ids=[gift.period_id]) == {gift.period_id: (0, 0)}
    assert verify.periods_verify() == 0
    assert period_tally_sum(period_id=gift.period_id) == (0, 0)


def test_it_checks_and_repairs_only_the_periods_it_is_given(db, campaign, organization):
    """The same donor in two campaigns' months: repairing one month leaves the other's figures alone."""
    from tests.factories import CampaignFactory

    other = CampaignFactory(organization=organization, slug="other")
    here = DonationFactory(campaign=campaign, amount=500, donor_email="ada@example.com")
    there = DonationFactory(campaign=other, amount=700, donor_email="ada@example.com")
    PeriodDonorNet.objects.filter(period_id=here.period_id).update(net=1)
    assert set(verify.ledger_totals_by_period(period_ids=[here.period_id])) == {here.period_id}
    assert verify.donor_net_differences(period_ids=[here.period_id]) == [(here.period_id, "ada@example.com", 499)]

    assert verify.periods_verify(period_ids=[here.period_id]) == 1
    nets = dict(PeriodDonorNet.objects.values_list("period_id", "net"))
    assert nets == {here.period_id: 500, there.period_id: 700}
    assert period_tally_sum(period_id=there.period_id) == (700, 1)
    assert verify.periods_verify() == 0


def test_a_donor_in_two_months_of_one_campaign_is_checked_month_by_month(db, campaign):
    import datetime

    from django.utils import timezone

    earlier = DonationFactory(campaign=campaign, amount=400, donor_email="ada@example.com",
                              paid_at=timezone.now() - datetime.timedelta(days=40))  # fmt: skip
    later = DonationFactory(campaign=campaign, amount=600, donor_email="ada@example.com")
    assert earlier.period_id != later.period_id
    PeriodDonorNet.objects.filter(period_id=earlier.period_id).update(net=600)
    PeriodDonorNet.objects.filter(period_id=later.period_id).update(net=400)  # the same total, both wrong
    ids = [earlier.period_id, later.period_id]
    assert sorted(verify.donor_net_differences(period_ids=ids)) == sorted(
        [(earlier.period_id, "ada@example.com", -200), (later.period_id, "ada@example.com", 200)]
    )


def test_each_repair_is_logged_with_what_differed(db, campaign, caplog):
    gift = DonationFactory(campaign=campaign, amount=500, donor_email="ada@example.com")
    Donation.objects.filter(pk=gift.pk).update(amount=800)  # the ledger says 800, the running figures 500
    with caplog.at_level(logging.ERROR, logger="fundraising.ledger.verify"):
        assert verify.periods_verify() == 1
    assert caplog.messages == [
        f"period {gift.period_id}: running figures repaired: figures (500, 1) but the ledger sums (800, 1)"
    ]
    caplog.clear()
    PeriodDonorNet.objects.update(net=1)
    with caplog.at_level(logging.ERROR, logger="fundraising.ledger.verify"):
        assert verify.periods_verify() == 1
    assert caplog.messages == [
        f"period {gift.period_id}: running figures repaired: donor nets differ ('ada@example.com' by 799)"
    ]


def test_a_repair_reaches_the_widget(client, db, campaign, widget_root, django_capture_on_commit_callbacks):
    from fundraising.ledger.services import ledger_changed

    with django_capture_on_commit_callbacks(execute=True):
        gift = DonationFactory(campaign=campaign, amount=500)
        ledger_changed(period_id=gift.period_id)
    assert client.get(f"/w/{campaign.slug}.json").json()["raised"] == 500
    Donation.objects.filter(pk=gift.pk).update(amount=900)
    with django_capture_on_commit_callbacks(execute=True):
        assert verify.periods_verify() == 1
    assert Period.objects.get().raised == 900
    assert client.get(f"/w/{campaign.slug}.json").json()["raised"] == 900


def test_one_run_counts_every_period_it_repaired_and_when(db, campaign, organization, time_machine):
    from tests.factories import CampaignFactory

    time_machine.move_to("2026-11-20T12:00:00Z", tick=False)
    other = CampaignFactory(organization=organization, slug="other")
    broken = [DonationFactory(campaign=c, amount=500) for c in (campaign, other)]
    Donation.objects.filter(pk__in=[gift.pk for gift in broken]).update(amount=600)
    assert verify.periods_verify() == 2
    report = verify.verify_report()
    assert (report["repaired_last_run"], report["repaired_total"], report["periods_checked"]) == (2, 2, 2)
    assert report["last_run"] == "2026-11-20T12:00:00+00:00"
    time_machine.move_to("2026-12-20T12:00:00Z", tick=False)  # the report outlives any cache expiry
    assert verify.verify_report()["repaired_total"] == 2


def test_it_checks_many_periods_in_one_batch_of_queries(db, organization):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CampaignFactory

    def queries_for(count):
        for index in range(count):
            DonationFactory(campaign=CampaignFactory(organization=organization, slug=f"c{count}-{index}"), amount=100)
        ids = list(Period.objects.order_by("pk").values_list("pk", flat=True))[-count:]
        with CaptureQueriesContext(connection) as queries:
            verify.periods_verify(period_ids=ids)
        return len(queries)

    assert queries_for(1) == queries_for(5)


def test_a_rebuild_counts_each_gift_without_an_email_and_no_unpaid_row(db, campaign, organization):
    from tests.factories import CampaignFactory

    paid = DonationFactory(campaign=campaign, amount=300, donor_email="")
    DonationFactory(campaign=campaign, amount=200, donor_email="")
    DonationFactory(campaign=campaign, amount=900, paid_at=None, status=Donation.Status.PENDING, period=paid.period)
    elsewhere = DonationFactory(campaign=CampaignFactory(organization=organization, slug="other"), amount=700)
    PeriodTally.objects.all().delete()
    verify.tallies_rebuild(period_ids=[paid.period_id])
    assert period_tally_sum(period_id=paid.period_id) == (500, 2)
    assert period_tally_sum(period_id=elsewhere.period_id) == (0, 0)  # not named: left for the verification
    assert verify.periods_verify() == 1


def test_it_repairs_the_running_breakdown(db, campaign):
    gift = DonationFactory(campaign=campaign, amount=800, kind="monthly", stripe_subscription_id="sub_a", fee_cover=80)
    DonationFactory(campaign=campaign, amount=300, donor_email="ada@example.com")
    # Writes that went around the ledger's path: the money and the new supporters moved, a stream's gifts lost.
    PeriodTally.objects.create(period_id=gift.period_id, one_time_raised=5, fee_covers=-80, new_streams=2,
                               created_at=gift.paid_at)  # fmt: skip
    PeriodStreamNet.objects.filter(key="sub_a").update(gifts=0)
    found = verify.periods_verify_batch(period_ids=[gift.period_id])
    assert "sub_a" in found[gift.period_id]
    assert_breakdown_matches_the_ledger()
    assert running_breakdown(gift.period_id)["new_monthly"] == 1
    assert verify.periods_verify_batch(period_ids=[gift.period_id]) == {}
