"""The bulk rebuild (verify.tallies_rebuild, after a load or an upgrade) puts back every running figure the ledger's
own writes kept: the period's figures and breakdown, each donor's and each monthly stream's net, the run-rate's
stream states; and it rebuilds the periods named, and their campaigns' run-rates, only."""

import datetime

from django.utils import timezone

from fundraising.campaigns.models import Period
from fundraising.ledger import verify
from fundraising.ledger.models import (
    Donation,
    PeriodDonorNet,
    PeriodStreamNet,
    PeriodTally,
    RecurringMonth,
    RecurringStream,
)
from fundraising.ledger.tally import period_figures_sum, periods_figures_fold
from tests.factories import CampaignFactory, DonationFactory
from tests.ledger.breakdown_check import assert_breakdown_matches_the_ledger

LAST_MONTH = datetime.timedelta(days=40)


def monthly(campaign, sub, amount=1000, **fields):
    return DonationFactory(campaign=campaign, amount=amount, kind="monthly", stripe_subscription_id=sub, **fields)


def running_figures():
    """Every running figure the ledger's writes keep, by period, and the run-rate's states by campaign."""
    return {
        "figures": {pk: period_figures_sum(period_id=pk) for pk in Period.objects.values_list("pk", flat=True)},
        "donor nets": set(PeriodDonorNet.objects.values_list("period_id", "email", "net")),
        "stream nets": set(PeriodStreamNet.objects.values_list("period_id", "key", "net", "gifts")),
        "streams": set(
            RecurringStream.objects.values_list("campaign_id", "interval", "key", "donation_id", "amount", "month")
        ),
        # A month whose streams all moved on keeps a sum of 0 on the write path; the rebuild writes none.
        "months": set(
            RecurringMonth.objects.exclude(amount=0).values_list("campaign_id", "interval", "month", "amount")
        ),
    }


def a_ledger(campaign):
    """A month of every kind of row the rebuild sums, after a month that makes one stream not new."""
    ago = timezone.now() - LAST_MONTH
    monthly(campaign, "sub_old", amount=700, paid_at=ago)
    DonationFactory(campaign=campaign, amount=400, donor_email="ada@example.com", paid_at=ago)
    DonationFactory(campaign=campaign, amount=100, donor_email="keyed@example.com", paid_at=ago)  # once, not monthly
    gift = monthly(campaign, "sub_old", amount=700)  # not a new supporter: paid last month too
    monthly(campaign, "sub_twice", amount=800, donor_email="twice@example.com")
    monthly(campaign, "sub_twice", amount=200, donor_email="twice@example.com")  # one supporter, two gifts
    monthly(campaign, "sub_refunded", amount=900, amount_refunded=900)  # a stream with nothing kept
    monthly(campaign, "sub_cent", amount=1)  # one cent kept: a supporter
    monthly(campaign, "", amount=600, donor_email="keyed@example.com")  # a stream keyed by its e-mail: new
    monthly(campaign, "", amount=350, donor_email="")  # a supporter keyed by its row: no stored stream net
    monthly(campaign, "sub_lost", amount=500, amount_disputed=500, dispute_status="lost")
    DonationFactory(campaign=campaign, amount=500, donor_email="ada@example.com")
    DonationFactory(campaign=campaign, amount=250, donor_email="ada@example.com")  # one donor, net 750
    DonationFactory(campaign=campaign, amount=300, donor_email="")
    DonationFactory(campaign=campaign, amount=200, donor_email="")  # two donors without an e-mail
    DonationFactory(campaign=campaign, amount=1, donor_email="cent@example.com")  # one cent: a donor
    DonationFactory(campaign=campaign, amount=300, amount_refunded=300, donor_email="gone@example.com")  # no donor
    DonationFactory(campaign=campaign, amount=1080, fee_cover=80, donor_email="covers@example.com")
    DonationFactory(campaign=campaign, amount=2500, source="offline", method="cash", donor_email="")
    DonationFactory(campaign=campaign, amount=12000, kind="yearly", stripe_subscription_id="sub_year")
    DonationFactory(campaign=campaign, amount=900, paid_at=None, status=Donation.Status.PENDING, period=gift.period)
    return gift.period_id


def test_a_rebuild_puts_back_every_running_figure_the_ledger_kept(db, campaign, organization):
    period_id = a_ledger(campaign)
    other = CampaignFactory(organization=organization, slug="other")  # a monthly supporter of another campaign
    monthly(other, "", amount=400, donor_email="keyed@example.com", paid_at=timezone.now() - LAST_MONTH)  # is new here
    kept = running_figures()
    assert kept["figures"][period_id]["streams"] == 5  # old, twice, cent, by e-mail, by row
    assert kept["figures"][period_id]["new_streams"] == 4
    for model in (PeriodTally, PeriodDonorNet, PeriodStreamNet, RecurringStream, RecurringMonth):
        model.objects.all().delete()

    verify.tallies_rebuild()
    assert running_figures() == kept
    assert_breakdown_matches_the_ledger()
    assert verify.periods_verify() == 0

    PeriodStreamNet.objects.all().update(net=1, gifts=9)  # a rebuild of the periods named replaces what they had
    PeriodDonorNet.objects.all().update(net=1)
    PeriodTally.objects.all().update(raised=1, donors=9, streams=9, new_streams=9, monthly_raised=1)
    RecurringStream.objects.all().update(amount=1)
    verify.tallies_rebuild(period_ids=list(Period.objects.values_list("pk", flat=True)))
    assert running_figures() == kept


def test_a_rebuild_of_one_month_leaves_other_months_and_campaigns_alone(db, campaign, organization):
    """The month named is rebuilt, with its campaign's run-rate (every month of it); another month of the
    campaign and another campaign keep what they had, even wrong (the verification repairs those)."""
    period_id = a_ledger(campaign)
    other = CampaignFactory(organization=organization, slug="other")
    monthly(other, "sub_old", amount=700)  # the same keys in another campaign
    monthly(other, "sub_twice", amount=300, donor_email="twice@example.com")
    DonationFactory(campaign=other, amount=500, donor_email="ada@example.com")
    kept = running_figures()
    PeriodTally.objects.create(
        period_id=period_id, raised=5, donors=5, streams=5, new_streams=5, created_at=timezone.now()
    )
    PeriodStreamNet.objects.filter(period_id=period_id).delete()
    PeriodDonorNet.objects.filter(period_id=period_id).delete()
    RecurringStream.objects.filter(campaign=campaign).update(amount=1)
    others = Period.objects.exclude(pk=period_id)
    for pk in others.values_list("pk", flat=True):  # wrong figures in every other month
        PeriodTally.objects.create(
            period_id=pk, raised=3, donors=3, streams=3, new_streams=3, created_at=timezone.now()
        )
    PeriodStreamNet.objects.exclude(period_id=period_id).update(net=3, gifts=3)
    PeriodDonorNet.objects.exclude(period_id=period_id).update(net=3)
    RecurringStream.objects.filter(campaign=other).update(amount=3)
    RecurringMonth.objects.filter(campaign=other).update(amount=3)
    periods_figures_fold(period_ids=list(others.values_list("pk", flat=True)))  # folded, as after a refresh
    wrong = running_figures()

    verify.tallies_rebuild(period_ids=[period_id])
    rebuilt = running_figures()
    assert rebuilt["figures"] == wrong["figures"] | {period_id: kept["figures"][period_id]}
    assert rebuilt["donor nets"] == {row for row in wrong["donor nets"] if row[0] != period_id} | {
        row for row in kept["donor nets"] if row[0] == period_id
    }
    assert rebuilt["stream nets"] == {row for row in wrong["stream nets"] if row[0] != period_id} | {
        row for row in kept["stream nets"] if row[0] == period_id
    }
    # The campaign's run-rate is rebuilt whole (its last month's stream included); the other campaign's is left.
    assert {row for row in rebuilt["streams"] if row[0] == campaign.pk} == {
        row for row in kept["streams"] if row[0] == campaign.pk
    }
    assert {row for row in rebuilt["streams"] if row[0] == other.pk} == {
        row for row in wrong["streams"] if row[0] == other.pk
    }
    assert {row for row in rebuilt["months"] if row[0] == other.pk} == {
        row for row in wrong["months"] if row[0] == other.pk
    }


def test_a_rebuild_of_no_month_touches_nothing(db, campaign, django_assert_num_queries):
    a_ledger(campaign)
    PeriodTally.objects.update(raised=1)
    kept = running_figures()
    with django_assert_num_queries(0):
        verify.tallies_rebuild(period_ids=[])
    assert running_figures() == kept
