"""fundraising/pipeline/tasks.py periods_sweep: an owner e-mail of a crossing whose queued task was lost (a
worker killed, Redis emptied) is queued again, and still goes out once."""

import datetime
from unittest import mock

from django.core import mail
from django.utils import timezone

from fundraising.campaigns.models import MilestoneCrossing
from fundraising.campaigns.services import period_for
from fundraising.pipeline import tasks


def test_a_crossing_whose_email_was_lost_is_mailed_once(campaign):
    period = period_for(campaign=campaign)
    crossing = MilestoneCrossing.objects.create(period=period, amount=250000, label="Halfway")
    tasks.periods_sweep()
    assert mail.outbox == []  # fresh: its own queued task may still come
    later = timezone.now() + tasks.CROSSING_EMAIL_GRACE + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        tasks.periods_sweep()
        tasks.periods_sweep()
    assert len(mail.outbox) == 1 and "Halfway" in mail.outbox[0].subject
    crossing.refresh_from_db()
    assert crossing.notified_at is not None


def test_without_a_broker_a_failed_owner_email_is_tried_once_in_the_request_then_by_the_sweep(campaign, eager_retries):
    """A failing mail server costs the request that journalled the crossing one try, not the task's retries."""
    period = period_for(campaign=campaign)
    crossing = MilestoneCrossing.objects.create(period=period, amount=250000, label="Halfway")
    with mock.patch("fundraising.campaigns.milestones.send_mail", side_effect=ConnectionRefusedError("down")) as send:
        tasks.milestone_notify.delay(crossing.pk)  # as the journal's consumer queues it, in the request
    assert send.call_count == 1
    crossing.refresh_from_db()
    assert crossing.notified_at is None
    later = timezone.now() + tasks.CROSSING_EMAIL_GRACE + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        tasks.periods_sweep()
        tasks.periods_sweep()
    assert len(mail.outbox) == 1 and "Halfway" in mail.outbox[0].subject
