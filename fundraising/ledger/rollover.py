"""Monthly rollover: each campaign's past month closes with its final total and the new one opens."""

import datetime

from django.utils import timezone

from fundraising.campaigns.models import Campaign, Period
from fundraising.campaigns.services import period_for

from .services import period_recompute
from .signals import announce, period_closed


def campaign_rollover(*, campaign: Campaign, now: datetime.datetime | None = None) -> list[int]:
    """Close the campaign's open periods before the current local month; return the ids closed.

    Runs every few minutes and is idempotent: the current month's period is created with the
    campaign's target and milestones as they are now, and closing is a compare-and-set."""
    now = now or timezone.now()
    current = period_for(campaign=campaign, when=now)
    closed = []
    for period_id in Period.objects.filter(
        campaign=campaign, closed_at__isnull=True, start__lt=current.start
    ).order_by("start").values_list("pk", flat=True):
        period_recompute(period_id=period_id)
        if Period.objects.filter(pk=period_id, closed_at__isnull=True).update(closed_at=now):
            closed.append(period_id)
            announce(period_closed, period_id=period_id)
    return closed


def campaigns_to_roll():
    return Campaign.objects.filter(active=True).order_by("pk")
