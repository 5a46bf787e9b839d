"""fundraising/campaigns/milestones.py: a failed owners' e-mail is counted and tried again later (waits doubling
from a minute to an hour, EMAIL_MAX_TRIES in all), and which crossings the minute's sweep queues."""

import datetime
import logging

import pytest
from django.utils import timezone

from fundraising.campaigns import milestones
from fundraising.campaigns.models import MilestoneCrossing
from fundraising.campaigns.services import period_for

GRACE = datetime.timedelta(minutes=5)


@pytest.fixture
def period(campaign):
    return period_for(campaign=campaign)


def crossing_at(period, amount, crossed_at, **fields):
    crossing = MilestoneCrossing.objects.create(period=period, amount=amount, label="")
    MilestoneCrossing.objects.filter(pk=crossing.pk).update(crossed_at=crossed_at, **fields)
    return MilestoneCrossing.objects.get(pk=crossing.pk)


def test_the_waits_double_from_a_minute_and_stop_at_an_hour():
    assert [milestones.email_backoff(n) for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_failed_try_is_counted_and_logged_whole(period, caplog):
    crossing = crossing_at(period, 250000, timezone.now())
    now = timezone.now()
    with caplog.at_level(logging.WARNING, logger="fundraising.campaigns.milestones"):
        assert milestones.crossing_email_failed(crossing_id=crossing.pk, error="refused") == 1
        assert milestones.crossing_email_failed(crossing_id=crossing.pk, error="refused again") == 2
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", f"milestone e-mail of crossing {crossing.pk} failed (try 1), tried again in 60 s: refused"),
        ("WARNING", f"milestone e-mail of crossing {crossing.pk} failed (try 2), tried again in 120 s: refused again"),
    ]
    crossing.refresh_from_db()
    assert (crossing.email_attempts, crossing.email_error) == (2, "refused again")
    assert (
        now + datetime.timedelta(seconds=120)
        <= crossing.email_due_at
        <= timezone.now() + datetime.timedelta(seconds=120)
    )


def test_the_last_try_gives_up_with_an_error_and_keeps_the_failure(period, caplog):
    crossing = crossing_at(period, 250000, timezone.now(), email_attempts=milestones.EMAIL_MAX_TRIES - 2)
    with caplog.at_level(logging.WARNING, logger="fundraising.campaigns.milestones"):
        assert milestones.crossing_email_failed(crossing_id=crossing.pk, error="x") == 10
        caplog.clear()
        assert milestones.crossing_email_failed(crossing_id=crossing.pk, error="still down") == 11
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", f"milestone e-mail of crossing {crossing.pk} given up after 11 tries: still down"),
    ]
    crossing.refresh_from_db()
    assert (crossing.email_attempts, crossing.email_due_at, crossing.email_error) == (11, None, "still down")


def test_a_long_failure_is_kept_to_its_first_300_characters(period):
    crossing = crossing_at(period, 250000, timezone.now())
    milestones.crossing_email_failed(crossing_id=crossing.pk, error="a" * 300 + "b" * 50)
    crossing.refresh_from_db()
    assert crossing.email_error == "a" * 300


def test_a_failure_reported_after_the_mail_went_out_changes_nothing(period, caplog):
    crossing = crossing_at(period, 250000, timezone.now(), notified_at=timezone.now())
    assert milestones.crossing_email_failed(crossing_id=crossing.pk, error="late") is None
    crossing.refresh_from_db()
    assert (crossing.email_attempts, crossing.email_due_at, crossing.email_error) == (0, None, "")
    assert caplog.records == []


def test_a_first_task_counts_as_lost_exactly_grace_after_the_crossing(period):
    now = timezone.now()
    lost = crossing_at(period, 100000, now - GRACE)
    crossing_at(period, 200000, now - GRACE + datetime.timedelta(seconds=1))  # its task may still come
    assert milestones.crossings_email_due(now=now, grace=GRACE) == [lost.pk]
    lost.refresh_from_db()
    assert lost.email_due_at == now + GRACE  # left to the task just queued until then


def test_a_failed_try_is_due_exactly_when_its_wait_is_over(period):
    now = timezone.now()
    long_ago, second = now - datetime.timedelta(days=1), datetime.timedelta(seconds=1)
    due = crossing_at(period, 100000, long_ago, email_attempts=3, email_due_at=now)
    crossing_at(period, 200000, long_ago, email_attempts=3, email_due_at=now + second)  # its wait is not over
    crossing_at(period, 300000, long_ago, notified_at=now)  # mailed
    crossing_at(period, 400000, long_ago, email_attempts=milestones.EMAIL_MAX_TRIES)  # given up
    crossing_at(period, 450000, long_ago, email_attempts=milestones.EMAIL_MAX_TRIES, email_due_at=now)  # given up
    assert milestones.crossings_email_due(now=now, grace=GRACE) == [due.pk]
    assert milestones.crossings_email_due(now=now, grace=GRACE) == []  # queued: left to its task for the grace


def test_a_sweep_queues_at_most_500_in_the_order_recorded(period):
    old = timezone.now() - datetime.timedelta(days=1)
    MilestoneCrossing.objects.bulk_create(
        MilestoneCrossing(period=period, amount=amount, label="") for amount in range(1, 502)
    )
    MilestoneCrossing.objects.update(crossed_at=old)
    pks = list(MilestoneCrossing.objects.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    assert milestones.crossings_email_due(now=now, grace=GRACE) == pks[:500]
    assert milestones.crossings_email_due(now=now, grace=GRACE) == pks[500:]  # the rest at the next sweep
    assert milestones.crossings_email_due(now=now, grace=GRACE, limit=2) == []


def test_a_failure_counts_on_its_own_crossing(period):
    other = crossing_at(period, 100000, timezone.now(), email_attempts=5)  # another crossing still to be mailed
    crossing = crossing_at(period, 250000, timezone.now())
    assert milestones.crossing_email_failed(crossing_id=crossing.pk, error="refused") == 1
    other.refresh_from_db()
    assert (other.email_attempts, other.email_error) == (5, "")
