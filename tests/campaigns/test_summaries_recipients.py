"""fundraising/campaigns/summaries.py: the month-end summary goes to this organisation's owners with an address, and
to no one else (not another organisation's owners, not an owner without an address)."""

import datetime

from django.core import mail
from django.utils import timezone

from fundraising.campaigns.models import Period, PeriodSummary
from fundraising.campaigns.services import owner_add
from fundraising.campaigns.summaries import period_summary_send
from tests.factories import OrganizationFactory, UserFactory


def test_only_this_organisations_owners_with_an_address_get_it(campaign, organization, charlie):
    owner_add(organization=organization, user=UserFactory(username="nomail", email=""))
    owner_add(organization=OrganizationFactory(name="Charlie's club"), user=charlie)
    october = Period.objects.create(
        campaign=campaign,
        start=datetime.date(2026, 10, 1),
        end=datetime.date(2026, 10, 31),
        target=40000,
        closed_at=timezone.now(),
    )
    assert period_summary_send(period_id=october.pk) is True
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]  # bob is an editor
    assert PeriodSummary.objects.get(period=october).recipients == 1
