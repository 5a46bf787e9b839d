"""fundraising/ops/journal_check.py: after the product's own scenarios the journal accounts for every gift,
crossing, closed month and campaign; a row written around its service (a model .save(), a queryset
.update()) is found."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command

from fundraising.campaigns.models import Campaign, Milestone, MilestoneCrossing, Period
from fundraising.campaigns.services import campaign_update, period_for
from fundraising.ledger import offline
from fundraising.ledger.models import Donation
from fundraising.ledger.rollover import campaigns_roll
from fundraising.ledger.services import donation_messages_hide
from fundraising.ops.journal_check import journal_gaps
from fundraising.supporters.privacy import supporter_erase
from tests.factories import DonationFactory
from tests.stripe_standin import events

MAY = datetime.datetime(2026, 5, 12, 10, tzinfo=datetime.UTC)


@pytest.fixture
def scenario(client, organization, alice, widget_root):
    """A month of the product's own writes: a campaign made and edited, gifts by webhook (one refunded, one
    disputed, one monthly that ends), an offline gift and its reversal, a hidden message, an erasure, the
    month's close and the next month's first gift."""
    with time_machine.travel(MAY, tick=False):
        campaign = campaign_update(
            campaign=Campaign(organization=organization, slug="lights", title="Lights", monthly_target=10000)
        )
        Milestone.objects.create(campaign=campaign, amount=5000, label="Half")
        campaign_update(campaign=campaign, title="Keep the lights on")
        pi = events.sid("pi")
        session = events.checkout_session(amount=6000, payment_intent=pi, email="ada@example.com")
        events.post_event(client, events.event("checkout.session.completed", session))
        charge = events.charge(amount=6000, payment_intent=pi, amount_refunded=1000)
        events.post_event(client, events.event("charge.refunded", charge))
        other = events.checkout_session(amount=2500, email="grace@example.com")
        events.post_event(client, events.event("checkout.session.completed", other))
        sub = events.sid("sub")
        monthly = events.invoice(amount=1500, subscription=sub, billing_reason="subscription_create")
        events.post_event(client, events.event("invoice.paid", monthly))
        ended = events.subscription(subscription_id=sub)
        events.post_event(client, events.event("customer.subscription.deleted", ended))
        entry = offline.offline_gift_record(
            campaign=campaign, amount=4000, received_on=MAY.date(), method="cheque", recorded_by=alice
        )
        offline.offline_gift_reverse(donation=entry.donation, recorded_by=alice)
        donation_messages_hide(donations=Donation.objects.filter(donor_email="grace@example.com"))
        supporter_erase(organization=organization, email="ada@example.com")
    with time_machine.travel(MAY.replace(month=6, day=1, hour=0, minute=3), tick=False):
        campaigns_roll()
        events.post_event(client, events.event("checkout.session.completed", events.checkout_session(amount=700)))
    return campaign


def test_the_journal_accounts_for_every_row_the_services_wrote(scenario):
    assert Donation.objects.filter(paid_at__isnull=False).count() >= 6
    assert MilestoneCrossing.objects.filter(period__campaign=scenario).exists()
    assert Period.objects.filter(campaign=scenario, closed_at__isnull=False).exists()
    assert journal_gaps() == {}
    call_command("journal_check")


def test_it_finds_rows_written_around_their_services(scenario):
    june = period_for(campaign=scenario)
    stray = DonationFactory(campaign=scenario, period=june, amount=100)  # a model .save()
    Campaign.objects.filter(pk=scenario.pk).update(active=False)  # deactivated through the ORM
    crossing = MilestoneCrossing.objects.create(period=june, amount=1, label="stray")
    closed = Period.objects.create(campaign=scenario, start="2020-01-01", end="2020-01-31", target=1, closed_at=MAY)
    assert journal_gaps() == {
        "donations without an entry": [str(stray.pk)],
        "crossings without milestone.reached": [crossing.pk],
        "closed months without period.closed": [closed.pk],
        "campaigns changed around campaign_update": [scenario.pk],
    }
    with pytest.raises(CommandError, match="around their service"):
        call_command("journal_check")
