"""fundraising/pipeline/tasks.py: a task that does many things never lets one failure drop the others. Each
failure is logged with what failed, and what failed gets a retrying task of its own."""

import datetime
from unittest import mock

from django.core import mail
from django.utils import timezone

from fundraising.campaigns import summaries
from fundraising.campaigns.models import Period, PeriodSummary
from fundraising.pipeline import refresh, tasks
from tests.factories import CampaignFactory


def warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "fundraising.pipeline.tasks"]


def test_a_failed_batch_refresh_says_so_and_names_the_period_that_fails_alone(caplog):
    with (
        mock.patch.object(refresh, "periods_refresh", side_effect=RuntimeError("deadlock")),
        mock.patch.object(refresh, "period_refresh", side_effect=[None, RuntimeError("again"), None]) as alone,
        mock.patch.object(tasks.period_refresh_task, "delay") as own,
    ):
        tasks.periods_refresh_task([11, 12, 13])
    assert alone.call_args_list == [mock.call(period_id=11), mock.call(period_id=12), mock.call(period_id=13)]
    own.assert_called_once_with(12)
    assert warnings(caplog) == [
        "refresh of 3 periods together failed, refreshing each alone",
        "refresh of period 12 failed, retrying in its own task",
    ]
    assert all(r.exc_info for r in caplog.records if r.name == "fundraising.pipeline.tasks")


def closed_month(campaign, month):
    start = datetime.date(2026, month, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return Period.objects.create(
        campaign=campaign, start=start, end=end, target=100000, closed_at=timezone.now() - datetime.timedelta(hours=1)
    )


def test_a_failing_summary_gets_its_own_task_and_the_others_go_out(campaign, caplog):
    first, failing, last = (closed_month(CampaignFactory(organization=campaign.organization), 10) for _ in range(3))
    real = summaries.period_summary_send

    def send_or_fail(*, period_id):
        if period_id == failing.pk:
            raise ConnectionRefusedError("mail server down")
        return real(period_id=period_id)

    with (
        mock.patch.object(summaries, "period_summary_send", side_effect=send_or_fail),
        mock.patch.object(tasks.period_summary, "delay") as own,
    ):
        tasks.periods_closed_followup([first.pk, failing.pk, last.pk])
    own.assert_called_once_with(failing.pk)
    assert set(PeriodSummary.objects.values_list("period_id", flat=True)) == {first.pk, last.pk}
    assert not Period.objects.filter(pk__in=[first.pk, failing.pk, last.pk], breakdown_at__isnull=True).exists()
    assert len(mail.outbox) == 2
    assert warnings(caplog) == [f"summary of period {failing.pk} failed, retrying in its own task"]
    tasks.period_summary(failing.pk)  # its own task, retried
    assert PeriodSummary.objects.filter(period=failing).exists() and len(mail.outbox) == 3
