"""When a month closes, each campaign's owners get its result by e-mail in the organisation's language, once."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.core import mail

from fundraising.campaigns.models import PeriodSummary
from fundraising.campaigns.summaries import period_summary_send
from fundraising.pipeline import tasks
from tests.factories import CampaignFactory, DonationFactory


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


@pytest.fixture
def months(organization, alice, bob):
    """October 2026 closes at 3,100 $ of 5,000 $ with a monthly supporter; September had 2,000 $."""
    alice.email, bob.email = "alice@example.org", "bob@example.org"
    alice.save(), bob.save()
    campaign = CampaignFactory(organization=organization, slug="lights")
    DonationFactory(campaign=campaign, amount=200000, paid_at=utc(2026, 9, 10))
    DonationFactory(campaign=campaign, amount=300000, paid_at=utc(2026, 10, 10))
    DonationFactory(
        campaign=campaign,
        amount=10000,
        paid_at=utc(2026, 10, 11),
        kind="monthly",
        stripe_subscription_id="sub_1",
        donor_email="m@x.org",
    )
    return campaign


def roll(campaign, when, django_capture_on_commit_callbacks):
    with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.periods_rollover()


def test_it_sends_the_month_end_summary_once(months, django_capture_on_commit_callbacks):
    roll(months, utc(2026, 10, 1, 0, 10), django_capture_on_commit_callbacks)  # closes September
    roll(months, utc(2026, 11, 1, 0, 10), django_capture_on_commit_callbacks)  # closes October
    assert [m.subject for m in mail.outbox] == [
        "Keep the lights on: SEPTEMBER 2026 closed at 40% of its goal",
        "Keep the lights on: OCTOBER 2026 closed at 62% of its goal",
    ]
    october = mail.outbox[1]
    assert october.to == ["alice@example.org"]  # owners only, not bob the editor
    body = october.body
    assert "Keep the lights on closed OCTOBER 2026 at 3,100 $ of 5,000 $ (62%)." in body
    assert "It was 1,900 $ short of the goal." in body
    assert "Compared with SEPTEMBER 2026: +1,100 $ (2,000 $ then)." in body
    assert "Raised: 3,100 $ (one-time 3,000 $, monthly 100 $, offline 0 $)" in body
    assert "2 supporters: 1 monthly, 1 new, 0 cancelled" in body
    assert "Monthly recurring run-rate: 100 $ (+100 $)" in body
    assert f"/admin/campaigns/campaign/{months.pk}/dashboard/" in body

    # A retry of the task, a second rollover, or the beat running again: nothing more is sent.
    roll(months, utc(2026, 11, 1, 0, 20), django_capture_on_commit_callbacks)
    for summary in PeriodSummary.objects.all():
        assert period_summary_send(period_id=summary.period_id) is False
        tasks.period_summary(summary.period_id)
    assert len(mail.outbox) == 2
    assert sorted(s.recipients for s in PeriodSummary.objects.all()) == [1, 1]


def test_it_writes_in_the_organisations_language(months, django_capture_on_commit_callbacks):
    months.organization.language = "fr"
    months.organization.save()
    roll(months, utc(2026, 11, 1, 0, 10), django_capture_on_commit_callbacks)
    subjects = [m.subject for m in mail.outbox]
    assert "Keep the lights on : OCTOBRE 2026 clos à 62 % de l’objectif" in [
        s.replace("\u202f", " ").replace("\xa0", " ") for s in subjects
    ]
    october = next(m for m in mail.outbox if "OCTOBRE" in m.subject)
    assert "Il a manqué 1,900 $ pour atteindre l’objectif." in october.body
    assert "Par rapport à SEPTEMBRE 2026 : +1,100 $ (2,000 $ alors)." in october.body


def test_it_gives_the_claim_back_when_sending_fails(months, django_capture_on_commit_callbacks):
    with mock.patch("fundraising.campaigns.summaries.send_mail", side_effect=OSError("smtp down")):
        with pytest.raises(OSError):
            with time_machine.travel(utc(2026, 11, 1, 0, 10), tick=False):
                from fundraising.ledger.rollover import campaign_rollover

                closed = campaign_rollover(campaign=months)
                period_summary_send(period_id=closed[-1])
    assert not PeriodSummary.objects.exists() and not mail.outbox
    assert period_summary_send(period_id=closed[-1]) is True  # the retry sends it
    assert len(mail.outbox) == 1


def test_it_stays_quiet_when_the_organisation_opted_out(months, django_capture_on_commit_callbacks):
    months.organization.summary_email = False
    months.organization.save()
    roll(months, utc(2026, 11, 1, 0, 10), django_capture_on_commit_callbacks)
    assert not mail.outbox
