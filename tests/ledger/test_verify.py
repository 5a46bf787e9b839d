"""The background verification sums the ledger in full, repairs running figures that differ and reports it."""

import logging

from django.db import transaction

from fundraising.campaigns.models import Period
from fundraising.campaigns.services import period_for
from fundraising.ledger import verify
from fundraising.ledger.models import Donation, PeriodDonorNet, PeriodTally
from fundraising.ledger.services import ledger_totals, period_recompute
from fundraising.ledger.tally import period_tally_sum
from fundraising.pipeline import tasks
from tests.factories import DonationFactory


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
