"""Reads of the ledger: what a user may see, and where they may record offline gifts."""

from fundraising.campaigns.roles import NEEDS, VIEWER
from fundraising.campaigns.selectors import campaigns_for_user

from .models import Donation


def donations_for_user(*, user, role=VIEWER):
    return Donation.objects.filter(campaign__in=campaigns_for_user(user=user, role=role))


def campaigns_recordable_by(*, user):
    """Campaigns whose ledger the user may write offline gifts to: owners and editors, not viewers."""
    return campaigns_for_user(user=user, role=NEEDS["gift_record"])
