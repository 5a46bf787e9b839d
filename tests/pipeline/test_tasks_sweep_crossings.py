"""fundraising/pipeline/tasks.py periods_sweep: an owner e-mail of a crossing whose queued task was lost (a
worker killed, Redis emptied) is queued again, and still goes out once."""

import datetime
from unittest import mock

from django.core import mail
from django.utils import timezone

from fundraising.campaigns import milestones
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


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_a_failing_mail_server_is_tried_again_with_growing_waits_then_given_up(campaign, caplog):
    """Each failed try is counted on the crossing and the sweep tries again only when its wait is over (1, 2, 4 ...
    minutes, capped at an hour); after EMAIL_MAX_TRIES it stops and logs an error. Before, the sweep queued every
    unsent crossing every minute, forever."""
    period = period_for(campaign=campaign)
    crossing = MilestoneCrossing.objects.create(period=period, amount=250000, label="Halfway")
    start = timezone.now()
    with mock.patch("fundraising.campaigns.milestones.send_mail", side_effect=ConnectionRefusedError("down")) as send:
        with _at(start):
            tasks.milestone_notify.delay(crossing.pk)
        crossing.refresh_from_db()
        assert (crossing.email_attempts, crossing.email_due_at) == (1, start + datetime.timedelta(seconds=60))
        assert "down" in crossing.email_error
        with _at(start + datetime.timedelta(seconds=59)):
            tasks.periods_sweep()
        assert send.call_count == 1  # its wait is not over
        moment, waits = start, []
        while send.call_count < milestones.EMAIL_MAX_TRIES:
            crossing.refresh_from_db()
            waits.append(round((crossing.email_due_at - moment).total_seconds()))
            moment = crossing.email_due_at
            with _at(moment):
                tasks.periods_sweep()
        assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600]
        crossing.refresh_from_db()
        assert crossing.email_attempts == milestones.EMAIL_MAX_TRIES and crossing.email_due_at is None
        with _at(moment + datetime.timedelta(days=2)):
            tasks.periods_sweep()
        assert send.call_count == milestones.EMAIL_MAX_TRIES  # given up
    assert any(r.levelname == "ERROR" and "given up after 11 tries" in r.getMessage() for r in caplog.records)
    assert crossing.notified_at is None and mail.outbox == []


def test_a_crossing_the_sweep_queued_is_not_queued_again_while_its_task_waits(campaign):
    """With a broker the sweep only queues: a minute later the same crossing must not be queued a second time (a
    task per sweep would pile up while the mail server is down); after the grace, a lost task is queued again."""
    period = period_for(campaign=campaign)
    crossing = MilestoneCrossing.objects.create(period=period, amount=250000, label="Halfway")
    later = timezone.now() + tasks.CROSSING_EMAIL_GRACE + datetime.timedelta(seconds=1)
    with mock.patch.object(tasks.milestone_notify, "delay") as queued:
        for minutes in range(5):
            with _at(later + datetime.timedelta(minutes=minutes)):
                tasks.periods_sweep()
        assert [c.args for c in queued.call_args_list] == [(crossing.pk,)]
        with _at(later + tasks.CROSSING_EMAIL_GRACE + datetime.timedelta(seconds=1)):
            tasks.periods_sweep()
        assert [c.args for c in queued.call_args_list] == [(crossing.pk,), (crossing.pk,)]


def test_a_failed_try_then_a_working_mail_server_mails_once_and_clears_the_retry(campaign):
    period = period_for(campaign=campaign)
    crossing = MilestoneCrossing.objects.create(period=period, amount=250000, label="Halfway")
    with mock.patch("fundraising.campaigns.milestones.send_mail", side_effect=OSError("timeout")):
        tasks.milestone_notify.delay(crossing.pk)
    crossing.refresh_from_db()
    with _at(crossing.email_due_at):
        tasks.periods_sweep()
        tasks.periods_sweep()
    with _at(crossing.email_due_at + datetime.timedelta(hours=3)):
        tasks.periods_sweep()
    assert len(mail.outbox) == 1
    crossing.refresh_from_db()
    assert crossing.notified_at is not None and crossing.email_attempts == 1
    assert milestones.crossing_email_failed(crossing_id=crossing.pk, error="late") is None  # already notified
