"""Milestone crossings: recorded once per period when the total first reaches them, then e-mailed to the
owners. Owners' URLs hear of them as the milestone.reached event of fundraising.integrations."""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fundraising.journal import kinds
from fundraising.journal.services import Happening, entries_write

from .models import Membership, MilestoneCrossing

logger = logging.getLogger(__name__)

# How long after a month closes its crossings may still be recorded (the refresh of its last gifts).
CLOSED_QUIET = datetime.timedelta(hours=1)


def milestone_thresholds(*, period):
    """What can be crossed in a period: its frozen milestones and its target, smallest first."""
    thresholds = {m["amount"]: m.get("label", "") for m in period.milestones if m["amount"] > 0}
    thresholds.setdefault(period.target, "Target")
    return sorted(thresholds.items())


def crossings_record(*, period):
    """Record each threshold the period's total has reached for the first time, each journalled as
    milestone.reached in the same transaction; return the new crossings' ids.

    The unique (period, amount) constraint decides which of several concurrent refreshes records
    a crossing, so it is notified once. With milestones_refire, a drop below forgets the crossing
    so reaching it again notifies again.

    A month closed more than CLOSED_QUIET ago records nothing: a late offline gift typed into it changes its
    history, and announcing a milestone of a past month a week later would mislead owners and publishers.
    A refresh that ran just after the month closed (a gift of its last minutes) still counts."""
    created_ids = []
    if period.closed_at is not None and period.closed_at < timezone.now() - CLOSED_QUIET:
        return created_ids
    thresholds = milestone_thresholds(period=period)
    if not period.campaign.milestones_refire and period.goal_current < thresholds[0][0]:
        return created_ids  # nothing reached, nothing to forget: no transaction (a batch runs this per period)
    with transaction.atomic():
        if period.campaign.milestones_refire:
            MilestoneCrossing.objects.filter(period=period, amount__gt=period.goal_current).delete()
        for amount, label in thresholds:
            if period.goal_current < amount:
                break
            crossing, created = MilestoneCrossing.objects.get_or_create(
                period=period, amount=amount, defaults={"label": label}
            )
            if created:
                created_ids.append(crossing.pk)
        crossings_journal(period=period, crossing_ids=created_ids)
    return created_ids


def crossings_journal(*, period, crossing_ids, dispatched=False):
    """One milestone.reached entry per new crossing (its key is the crossing)."""
    entries_write(
        (
            Happening(
                kind=kinds.MILESTONE_REACHED,
                key=f"milestone.reached:{crossing_id}",
                organization_id=period.campaign.organization_id,
                campaign_id=period.campaign_id,
                period_id=period.pk,
                data={"crossing_id": crossing_id},
            )
            for crossing_id in crossing_ids
        ),
        dispatched=dispatched,
    )


def crossing_email(*, crossing_id):
    """E-mail the organisation's owners once; a retry after a crash may send again, never zero times."""
    with transaction.atomic():
        crossing = (
            MilestoneCrossing.objects.select_for_update(of=("self",))
            .select_related("period__campaign__organization")
            .filter(pk=crossing_id, notified_at__isnull=True)
            .first()
        )
        if crossing is None:  # already notified, or forgotten after a refund
            return False
        campaign = crossing.period.campaign
        recipients = list(
            Membership.objects.filter(organization=campaign.organization, role=Membership.Role.OWNER)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        if campaign.organization.notify_email and recipients:
            period = crossing.period
            reached = period.format_goal(crossing.amount)
            name = crossing.label or reached
            subject = f"{campaign.title}: {name} reached for {period.label}"
            body = (
                f"{campaign.title} stands at {period.format_goal(period.goal_current)} of "
                f"{period.format_goal(period.target)} ({period.get_goal_kind_display().lower()}) for "
                f"{period.label}, reaching {reached} ({name}).\n\n"
                f"{settings.SITE_URL}/c/{campaign.slug}/\n"
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        MilestoneCrossing.objects.filter(pk=crossing.pk).update(notified_at=timezone.now())
    return True


# The owners' e-mail of a crossing is tried at most this often (the first try and 10 more), the sweep's waits
# doubling from a minute to an hour (about 8.5 hours in all), then given up and logged as an error.
EMAIL_MAX_TRIES = 11


def email_backoff(attempts):
    """Seconds before the next try after `attempts` failed ones: 60, 120, 240, ... capped at an hour."""
    return min(60 * 2 ** (attempts - 1), 3600)


def crossing_email_failed(*, crossing_id, error):
    """Count a failed try of the owners' e-mail and set when periods_sweep tries it again; after EMAIL_MAX_TRIES,
    give up (logged as an error, kept in email_error). Returns the tries so far (None when already notified)."""
    with transaction.atomic():
        crossing = (
            MilestoneCrossing.objects.select_for_update()
            .filter(pk=crossing_id, notified_at__isnull=True)
            .only("email_attempts")
            .first()
        )
        if crossing is None:
            return None
        attempts = crossing.email_attempts + 1
        gave_up = attempts >= EMAIL_MAX_TRIES
        due_at = None if gave_up else timezone.now() + datetime.timedelta(seconds=email_backoff(attempts))
        MilestoneCrossing.objects.filter(pk=crossing_id).update(
            email_attempts=attempts, email_due_at=due_at, email_error=error[:300]
        )
    if gave_up:
        logger.error("milestone e-mail of crossing %s given up after %s tries: %s", crossing_id, attempts, error)
    else:
        logger.warning(
            "milestone e-mail of crossing %s failed (try %s), tried again in %s s: %s",
            crossing_id, attempts, email_backoff(attempts), error,
        )  # fmt: skip
    return attempts


def crossings_email_due(*, now, grace, limit=500):
    """Crossings whose owners' e-mail periods_sweep queues now: a failed one whose wait is over, or one whose first
    task was queued over `grace` ago and never ran (a killed worker, an emptied Redis). Each is marked as queued
    (due again after `grace`), so the next sweeps leave it to the task they queued."""
    due = (
        MilestoneCrossing.objects.filter(notified_at__isnull=True, email_attempts__lt=EMAIL_MAX_TRIES)
        .filter(Q(email_due_at__lte=now) | Q(email_due_at__isnull=True, crossed_at__lte=now - grace))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    crossing_ids = list(due[:limit])
    if crossing_ids:
        MilestoneCrossing.objects.filter(pk__in=crossing_ids, notified_at__isnull=True).update(
            email_due_at=now + grace
        )
    return crossing_ids
