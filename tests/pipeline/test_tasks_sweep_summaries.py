"""fundraising/pipeline/tasks.py periods_sweep: a closed month whose follow-up (final breakdown, summary e-mail)
was lost with its queued task is followed up once; older closes are history and stay quiet."""

import datetime

from django.core import mail
from django.utils import timezone

from fundraising.campaigns.models import Period, PeriodSummary
from fundraising.pipeline import tasks


def closed_month(campaign, start, closed_ago):
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return Period.objects.create(
        campaign=campaign, start=start, end=end, target=100000, closed_at=timezone.now() - closed_ago
    )


def test_a_month_whose_summary_was_lost_is_summed_up_once(campaign):
    lost = closed_month(campaign, datetime.date(2026, 10, 1), datetime.timedelta(minutes=30))
    closed_month(campaign, datetime.date(2026, 9, 1), datetime.timedelta(days=30))  # history
    closed_month(campaign, datetime.date(2026, 8, 1), datetime.timedelta(minutes=1))  # its own task may come
    tasks.periods_sweep()
    tasks.periods_sweep()
    assert list(PeriodSummary.objects.values_list("period_id", flat=True)) == [lost.pk]
    assert len(mail.outbox) == 1 and lost.label.lower() in mail.outbox[0].subject.lower()
