"""Reads of the ledger: what a user may see, and where they may record offline gifts."""

from fundraising.campaigns.models import Campaign, Membership
from fundraising.campaigns.selectors import campaigns_for_user

from .models import Donation


def donations_for_user(*, user):
    return Donation.objects.filter(campaign__in=campaigns_for_user(user=user))


def campaigns_recordable_by(*, user):
    """Campaigns whose ledger the user may write offline gifts to: owners and editors, not viewers."""
    if user.is_superuser:
        return Campaign.objects.all()
    roles = [Membership.Role.OWNER, Membership.Role.EDITOR]
    return Campaign.objects.filter(
        pk__in=Campaign.objects.filter(
            organization__memberships__user=user, organization__memberships__role__in=roles
        ).values("pk")
    )
