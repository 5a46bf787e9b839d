"""Reads: what a user may see or do, and the figures pages show.

Tenant data is read through a selector that takes the acting user and the role the action needs
(roles.NEEDS): the rows of the organisations where the user holds that role or a higher one."""

from .models import Campaign, Invitation, Organization, Period
from .roles import NEEDS, VIEWER, organizations_with_role


def organizations_for_user(*, user, role=VIEWER):
    return Organization.objects.filter(pk__in=organizations_with_role(user=user, role=role))


def campaigns_for_user(*, user, role=VIEWER):
    return Campaign.objects.filter(organization_id__in=organizations_with_role(user=user, role=role))


def periods_for_user(*, user, role=VIEWER):
    return Period.objects.filter(campaign__organization_id__in=organizations_with_role(user=user, role=role))


def invitations_for_user(*, user, role=NEEDS["members_manage"]):
    return Invitation.objects.filter(organization_id__in=organizations_with_role(user=user, role=role))


def campaign_by_slug(*, slug, active_only=True):
    qs = Campaign.objects.select_related("organization")
    if active_only:
        qs = qs.filter(active=True)
    return qs.filter(slug=slug).first()
