"""Reads of the ledger: what a user may see."""

from fundraising.campaigns.selectors import campaigns_for_user

from .models import Donation


def donations_for_user(*, user):
    return Donation.objects.filter(campaign__in=campaigns_for_user(user=user))
