"""Writes to organisations, campaigns and periods: which month a moment falls in, members."""

import calendar
import datetime

from django.db import transaction
from django.utils import timezone

from fundraising.journal import kinds
from fundraising.journal.services import entry_write

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


def campaign_update(*, campaign: Campaign, old_slug: str = "", **changes) -> Campaign:
    """The one way a campaign is created or changed (the admin, commands, seed_demo, the shell): apply
    `changes`, save, let the open month follow the target and milestones, and journal campaign.updated in
    the same transaction. After commit its consumers move or retire the widget and refresh the month
    (a lowered target records its crossings). `old_slug`: the slug before an edit that changed it (a
    caller that sets `slug` in `changes` need not say it)."""
    stored_slug = (
        Campaign.objects.filter(pk=campaign.pk).values_list("slug", flat=True).first() if campaign.pk else None
    )
    for name, value in changes.items():
        setattr(campaign, name, value)
    old_slug = old_slug or (stored_slug if stored_slug not in (None, campaign.slug) else "")
    with transaction.atomic():
        created = campaign.pk is None
        campaign.save()
        campaign_sync_open_period(campaign=campaign)
        entry_write(
            kind=kinds.CAMPAIGN_UPDATED,
            organization_id=campaign.organization_id,
            campaign_id=campaign.pk,
            data=campaign_state(campaign)
            | {"created": created, "old_slug": old_slug if old_slug != campaign.slug else ""},
        )
    return campaign


def campaign_state(campaign: Campaign) -> dict:
    """What the widget shows of a campaign, as journalled; the journal check compares the latest entry's
    state with the row, so a campaign changed behind campaign_update's back is found."""
    return {
        "slug": campaign.slug,
        "active": campaign.active,
        "title": campaign.title,
        "target": campaign.monthly_target,
        "goal_kind": campaign.goal_kind,
    }


def owner_add(*, organization, user, role="owner"):
    """Make `user` a member of `organization` with `role` (seeding and tests; owners invite members)."""
    from .models import Membership
    from .roles import member_access_sync

    Membership.objects.update_or_create(organization=organization, user=user, defaults={"role": role})
    member_access_sync(user=user)
