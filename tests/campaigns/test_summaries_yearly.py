"""The month-end summary of a campaign with yearly gifts: their money on a line of its own, and the run-rate
saying it counts them as a twelfth."""

import datetime

import time_machine
from django.core import mail

from fundraising.pipeline import tasks
from tests.factories import CampaignFactory, DonationFactory


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def test_it_states_the_yearly_gifts_and_the_twelfth(organization, alice, django_capture_on_commit_callbacks):
    alice.email = "alice@example.org"
    alice.save()
    campaign = CampaignFactory(organization=organization, slug="lights", yearly_gifts=True)
    DonationFactory(campaign=campaign, amount=300000, paid_at=utc(2026, 10, 10))
    DonationFactory(campaign=campaign, amount=10000, paid_at=utc(2026, 10, 11), kind="monthly",
                    stripe_subscription_id="sub_m", donor_email="m@x.org")  # fmt: skip
    DonationFactory(campaign=campaign, amount=24000, paid_at=utc(2026, 10, 12), kind="yearly",
                    stripe_subscription_id="sub_y", donor_email="y@x.org")  # fmt: skip
    with time_machine.travel(utc(2026, 11, 1, 0, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.periods_rollover()
    [october] = [m for m in mail.outbox if "OCTOBER" in m.subject]
    assert "Raised: 3,340 $ (one-time 3,000 $, monthly 100 $, offline 0 $)" in october.body
    assert "Yearly gifts paid this month: 240 $" in october.body
    assert "3 supporters: 1 monthly, 1 new, 0 cancelled" in october.body
    assert "Monthly recurring run-rate: 120 $ · includes yearly gifts as 1/12" in october.body


def test_a_campaign_without_yearly_gifts_says_nothing_of_them(organization, alice, django_capture_on_commit_callbacks):
    alice.email = "alice@example.org"
    alice.save()
    campaign = CampaignFactory(organization=organization, slug="lights")
    DonationFactory(campaign=campaign, amount=300000, paid_at=utc(2026, 10, 10))
    with time_machine.travel(utc(2026, 11, 1, 0, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.periods_rollover()
    [october] = [m for m in mail.outbox if "OCTOBER" in m.subject]
    assert "yearly" not in october.body.lower()
