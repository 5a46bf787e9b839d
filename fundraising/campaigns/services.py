"""Writes to organisations, campaigns and periods: which month a moment falls in, members."""

import calendar
import datetime

from django.utils import timezone

from .models import Campaign, Period


def period_bounds(*, campaign: Campaign, when: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """First and last day of the calendar month containing `when`, in the campaign's time zone."""
    return month_bounds(tz=campaign.tz, when=when)


def month_bounds(*, tz: datetime.tzinfo, when: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """First and last day of the calendar month containing `when` in the time zone `tz`."""
    local = timezone.localtime(when, tz).date()
    last_day = calendar.monthrange(local.year, local.month)[1]
    return local.replace(day=1), local.replace(day=last_day)


def milestones_of(campaign):
    return [{"amount": m.amount, "label": m.label} for m in campaign.milestones.all()]


def period_for(*, campaign: Campaign, when: datetime.datetime | None = None) -> Period:
    """The campaign's period containing `when` (default: now), created on first use."""
    start, end = period_bounds(campaign=campaign, when=when or timezone.now())
    period = Period.objects.filter(campaign=campaign, start=start).first()
    if period is not None:  # the usual case: one query, no savepoint, milestones not read
        return period
    defaults = {
        "end": end,
        "goal_kind": campaign.goal_kind,
        "target": campaign.monthly_target,
        "milestones": milestones_of(campaign),
    }
    # Another process may create the month between our read and this write: get_or_create then reads it
    # (its insert runs in a savepoint and an IntegrityError falls back to a read).
    period, _ = Period.objects.get_or_create(campaign=campaign, start=start, defaults=defaults)
    return period


def campaign_sync_open_period(*, campaign: Campaign) -> None:
    """After an owner edits the target or milestones, the current month follows; history does not."""
    period = period_for(campaign=campaign)
    Period.objects.filter(pk=period.pk, closed_at__isnull=True).update(
        goal_kind=campaign.goal_kind, target=campaign.monthly_target, milestones=milestones_of(campaign)
    )


def owner_add(*, organization, user, role="owner"):
    """Make `user` a member of `organization` with `role` (seeding and tests; owners invite members)."""
    from .models import Membership
    from .roles import member_access_sync

    Membership.objects.update_or_create(organization=organization, user=user, defaults={"role": role})
    member_access_sync(user=user)
