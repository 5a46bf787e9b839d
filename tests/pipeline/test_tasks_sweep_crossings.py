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
