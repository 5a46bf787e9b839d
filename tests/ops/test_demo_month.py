"""demo_month_close: a month passes in the demo; last month closes as beat closes it, with the owner's
summary e-mail, and a new month opens (DEBUG only)."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from fundraising.campaigns.models import Campaign, Period
from fundraising.campaigns.services import period_for
from fundraising.ledger.models import Donation
from fundraising.ops.demo_month import month_before

# Seeds the whole demo, then lets a month pass: not in `make test-fast`.
pytestmark = pytest.mark.slow


@pytest.mark.django_db(transaction=True)  # the summary follows the period.closed entry after commit
def test_it_closes_the_demos_month_and_opens_a_new_one(settings, widget_root):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    campaign = Campaign.objects.get(slug="demo")
    before = period_for(campaign=campaign)
    gifts = Donation.objects.filter(period=before).count()
    mail.outbox.clear()

    call_command("demo_month_close", stdout=open("/dev/null", "w"))  # noqa: SIM115

    closed = Period.objects.get(pk=before.pk)
    assert closed.closed_at is not None and (closed.start, closed.end) == month_before(before.start)
    assert Donation.objects.filter(period=closed, paid_at__date__lte=closed.end).count() == gifts
    assert closed.raised == 10000  # the seed's 100 $ of this month, final
    now = period_for(campaign=campaign)
    assert now.pk != before.pk and now.closed_at is None and now.start == before.start
    summary = [m for m in mail.outbox if m.to == ["owner@example.com"]]
    assert len(summary) == 1 and "100 $" in summary[0].body
    assert Period.objects.filter(campaign=campaign, closed_at__isnull=False).count() == 25


def test_it_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("demo_month_close")
