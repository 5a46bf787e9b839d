"""The owners' milestone e-mail: about the crossing named, once, to this organisation's owners with an address."""

import pytest
from django.core import mail

from fundraising.campaigns.milestones import crossing_email
from fundraising.campaigns.models import MilestoneCrossing, Period
from fundraising.campaigns.services import owner_add, period_for
from tests.factories import OrganizationFactory, UserFactory


@pytest.fixture
def period(campaign, settings):
    settings.SITE_URL = "https://give.example"
    period = period_for(campaign=campaign)
    Period.objects.filter(pk=period.pk).update(raised=300000)
    return Period.objects.get(pk=period.pk)


def test_it_mails_the_crossing_named_once(period):
    first = MilestoneCrossing.objects.create(period=period, amount=100000, label="First step")
    second = MilestoneCrossing.objects.create(period=period, amount=250000, label="Halfway")
    assert crossing_email(crossing_id=second.pk) is True
    (message,) = mail.outbox
    assert message.subject == f"Keep the lights on: Halfway reached for {period.label}"
    assert message.body == (
        f"Keep the lights on stands at 3,000 $ of 5,000 $ (amount raised) for {period.label}, "
        "reaching 2,500 $ (Halfway).\n\nhttps://give.example/c/lights/\n"
    )
    assert MilestoneCrossing.objects.get(pk=first.pk).notified_at is None  # still to be mailed
    assert crossing_email(crossing_id=second.pk) is False  # already notified: no second e-mail
    assert len(mail.outbox) == 1
    assert crossing_email(crossing_id=first.pk) is True
    assert [m.subject.split(": ")[1] for m in mail.outbox] == [
        f"Halfway reached for {period.label}",
        f"First step reached for {period.label}",
    ]


def test_it_mails_only_this_organisations_owners_with_an_address(period, organization, charlie):
    owner_add(organization=organization, user=UserFactory(username="nomail", email=""))  # an owner, no address
    owner_add(organization=OrganizationFactory(name="Charlie's club"), user=charlie)  # an owner elsewhere
    crossing = MilestoneCrossing.objects.create(period=period, amount=250000, label="")
    crossing_email(crossing_id=crossing.pk)
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]  # bob is an editor
    assert message.subject == f"Keep the lights on: 2,500 $ reached for {period.label}"  # no label: the amount
