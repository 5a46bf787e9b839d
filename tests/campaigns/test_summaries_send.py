"""fundraising/campaigns/summaries.py period_summary_send: the summary of the month asked for and of no other, only once
it is closed, and nothing (False) for an organisation that opted out; the e-mail's subject and recipients recorded."""

import datetime

from django.core import mail
from django.utils import timezone

from fundraising.campaigns.models import Period, PeriodSummary
from fundraising.campaigns.summaries import period_summary_send


def month(campaign, number, *, closed=True):
    start = datetime.date(2026, number, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return Period.objects.create(campaign=campaign, start=start, end=end, target=40000,
                                 closed_at=timezone.now() if closed else None)  # fmt: skip


def test_the_month_asked_for_is_the_one_sent_once_it_is_closed(campaign):
    september, october, november = month(campaign, 9), month(campaign, 10), month(campaign, 11, closed=False)
    assert period_summary_send(period_id=november.pk) is False  # still open
    assert mail.outbox == [] and not PeriodSummary.objects.exists()
    assert period_summary_send(period_id=september.pk) is True
    [message] = mail.outbox
    assert message.subject == "Keep the lights on: SEPTEMBER 2026 closed at 0% of its goal"
    assert message.to == ["alice@example.org"]
    summary = PeriodSummary.objects.get()
    assert (summary.period_id, summary.recipients) == (september.pk, 1) and summary.sent_at is not None
    assert period_summary_send(period_id=october.pk) is True
    assert mail.outbox[1].subject == "Keep the lights on: OCTOBER 2026 closed at 0% of its goal"


def test_an_organisation_that_opted_out_gets_nothing(campaign):
    campaign.organization.summary_email = False
    campaign.organization.save()
    assert period_summary_send(period_id=month(campaign, 10).pk) is False
    assert mail.outbox == [] and not PeriodSummary.objects.exists()
