"""Reads: what a user may see, and the figures pages show."""

from .models import Campaign, Organization, Period


def organizations_for_user(*, user):
    if user.is_superuser:
        return Organization.objects.all()
    return Organization.objects.filter(memberships__user=user).distinct()


def campaigns_for_user(*, user):
    if user.is_superuser:
        return Campaign.objects.all()
    return Campaign.objects.filter(organization__memberships__user=user).distinct()


def periods_for_user(*, user):
    return Period.objects.filter(campaign__in=campaigns_for_user(user=user))


def campaign_by_slug(*, slug, active_only=True):
    qs = Campaign.objects.select_related("organization")
    if active_only:
        qs = qs.filter(active=True)
    return qs.filter(slug=slug).first()
