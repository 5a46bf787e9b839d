"""Shared setup for widget tests: the seed's campaign picture (5,000 $ target, 2,500 $ milestone)."""

from django.db import transaction

from fundraising.campaigns.services import period_for
from fundraising.ledger.services import ledger_changed
from tests.factories import CampaignFactory, DonationFactory, MilestoneFactory


def seed_campaign(*, organization=None, slug="lights", title="Keep the lights on", gifts=(5000, 3000, 2000)):
    """A campaign like the seed picture, its gifts written through the ledger path, widgets refreshed."""
    extra = {"organization": organization} if organization else {}
    campaign = CampaignFactory(slug=slug, title=title, **extra)
    MilestoneFactory(campaign=campaign, amount=250000, label="Servers paid")
    period = period_for(campaign=campaign)
    gift_add(campaign=campaign, amounts=gifts, period=period)
    return campaign


def gift_add(*, campaign, amounts, period=None):
    """Paid gifts written the way the pipeline writes them: ledger change, then refresh on commit."""
    period = period or period_for(campaign=campaign)
    with transaction.atomic():
        for amount in amounts:
            DonationFactory(campaign=campaign, period=period, amount=amount)
        ledger_changed(period_id=period.pk)
