"""`manage.py demo_month_close` (DEBUG only): let a month pass in the demo, so a newcomer sees a month close.

The clock cannot move, so the demo's data does: every period of every active campaign, with its gifts,
moves one calendar month back (the oldest first, into the month its predecessor leaves), as if a month had
passed. Then the rollover beat runs every few minutes closes what is now last month, through the same code
as production: final figures, its period.closed entry, the owners' summary e-mail, a new open month."""

import datetime

from django.db import transaction

from fundraising.campaigns.models import Campaign, Period
from fundraising.ledger.models import Donation
from fundraising.ledger.recurring import recurring_rebuild
from fundraising.pipeline.tasks import periods_rollover


def month_before(day):
    """(first, last day) of the calendar month before the one holding `day`."""
    last = day.replace(day=1) - datetime.timedelta(days=1)
    return last.replace(day=1), last


def _gifts_move(*, period, start, end, tz):
    """The period's gifts, each moved by the month's shift, kept inside the new month (31 Dec -> 30 Nov)."""
    shift = period.start - start
    latest = datetime.datetime.combine(end, datetime.time(23, 59), tzinfo=tz)
    moved = []
    for gift in Donation.objects.filter(period=period).only("pk", "paid_at"):
        if gift.paid_at is not None:
            gift.paid_at = min(gift.paid_at - shift, latest)
            moved.append(gift)
    Donation.objects.bulk_update(moved, ["paid_at"], batch_size=500)


def demo_months_shift():
    """Move every active campaign's periods and their gifts one month back; returns how many periods moved."""
    moved = 0
    with transaction.atomic():
        for campaign in Campaign.objects.filter(active=True).order_by("pk"):
            for period in Period.objects.filter(campaign=campaign).order_by("start"):
                start, end = month_before(period.start)
                _gifts_move(period=period, start=start, end=end, tz=campaign.tz)
                closed_at = period.closed_at - (period.start - start) if period.closed_at else None
                Period.objects.filter(pk=period.pk).update(start=start, end=end, closed_at=closed_at)
                moved += 1
            recurring_rebuild([campaign.pk])  # the run-rate's stream states follow their gifts' new dates
    return moved


def demo_month_close():
    """A month passes: shift the data, then beat's rollover task (in-process, as `beat_run` runs it; its
    widget refreshes and summary e-mails go to the worker when there is one). Returns campaigns rolled."""
    demo_months_shift()
    return periods_rollover()
