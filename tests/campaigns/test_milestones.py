"""A milestone is recorded and e-mailed to owners once per period; a refund does not make it fire again."""

import pytest
from django.db import transaction

from fundraising.campaigns import services
from fundraising.campaigns.models import MilestoneCrossing
from fundraising.ledger import services as ledger
from tests.factories import DonationFactory, MilestoneFactory


@pytest.fixture
def halfway(campaign):
    MilestoneFactory(campaign=campaign, amount=250000, label="Halfway")
    services.campaign_sync_open_period(campaign=campaign)


def give(campaign, amount):
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, amount=amount)
        ledger.ledger_changed(period_id=donation.period_id)
    return donation


def refund(donation, amount):
    with transaction.atomic():
        donation.amount_refunded = amount
        ledger.donation_settle(donation=donation, old_period_id=donation.period_id)


def milestone_mails(outbox):
    return [message for message in outbox if " reached for " in message.subject]


def crossed(campaign):
    return list(MilestoneCrossing.objects.filter(period__campaign=campaign).values_list("amount", flat=True))


def test_it_emails_the_owners_when_a_milestone_is_reached(transactional_db, campaign, halfway, mailoutbox):
    give(campaign, 100000)
    assert crossed(campaign) == [] and mailoutbox == []

    give(campaign, 200000)
    assert crossed(campaign) == [250000]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alice@example.org"]  # bob is an editor, not an owner
    assert mailoutbox[0].subject == "Keep the lights on: Halfway reached for " + campaign.periods.get().label
    assert "3,000 $ of 5,000 $" in mailoutbox[0].body
    assert MilestoneCrossing.objects.get().notified_at is not None


def test_it_records_the_target_as_a_milestone(transactional_db, campaign, halfway, mailoutbox):
    give(campaign, 600000)
    assert crossed(campaign) == [250000, 500000]
    label = campaign.periods.get().label
    assert sorted(m.subject for m in mailoutbox) == [
        f"Keep the lights on: Halfway reached for {label}",
        f"Keep the lights on: Target reached for {label}",
    ]


def test_it_does_not_fire_again_after_a_refund(transactional_db, campaign, halfway, mailoutbox):
    big = give(campaign, 300000)
    refund(big, 300000)
    assert campaign.periods.get().raised == 0
    give(campaign, 260000)
    assert crossed(campaign) == [250000]
    assert len(milestone_mails(mailoutbox)) == 1  # the supporter's refund notice is not a milestone


def test_it_fires_again_after_a_refund_when_configured(transactional_db, campaign, halfway, mailoutbox):
    campaign.milestones_refire = True
    campaign.save()
    big = give(campaign, 300000)
    refund(big, 300000)
    assert crossed(campaign) == []
    give(campaign, 260000)
    assert crossed(campaign) == [250000]
    assert len(milestone_mails(mailoutbox)) == 2


def test_it_sends_no_mail_when_the_organisation_opted_out(transactional_db, campaign, halfway, mailoutbox):
    campaign.organization.notify_email = False
    campaign.organization.save()
    give(campaign, 300000)
    assert crossed(campaign) == [250000]
    assert mailoutbox == []


def test_a_late_gift_into_a_long_closed_month_announces_nothing(transactional_db, campaign, halfway, mailoutbox):
    """An offline gift typed into last month a week after it closed changes its figures, not its news."""
    import datetime

    from django.utils import timezone

    from fundraising.campaigns.models import Period
    from fundraising.journal.models import Entry

    donation = give(campaign, 100000)
    Period.objects.filter(pk=donation.period_id).update(closed_at=timezone.now() - datetime.timedelta(days=7))
    give(campaign, 200000)
    assert crossed(campaign) == [] and milestone_mails(mailoutbox) == []
    assert not Entry.objects.filter(kind="milestone.reached").exists()
    Period.objects.filter(pk=donation.period_id).update(closed_at=timezone.now() - datetime.timedelta(minutes=2))
    give(campaign, 1)  # the refresh of a gift of the month's last minutes, just after its close
    assert crossed(campaign) == [250000]
