"""An endpoint that keeps failing is switched off after OUTGOING_DISABLE_AFTER failed tries in a row: its own
pending deliveries are given up (no other endpoint's), its owners (only they, only this organisation's) get one
e-mail saying which URL and how to switch it back on."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from fundraising.campaigns.services import owner_add
from fundraising.integrations import delivery as deliveries
from fundraising.integrations.models import Delivery, Endpoint
from tests.factories import CampaignFactory, OrganizationFactory, UserFactory


@pytest.fixture
def endpoint(db, campaign, settings):
    settings.OUTGOING_DISABLE_AFTER = 3
    return Endpoint.objects.create(campaign=campaign, url="https://hooks.example.org/fund", events=["period.closed"])


def delivery_for(endpoint, key, status="pending"):
    return Delivery.objects.create(
        endpoint=endpoint,
        event_id=key,
        event_type="period.closed",
        event_key=key,
        payload={},
        status=status,
        delivered_at=timezone.now() if status == "delivered" else None,
    )


def test_it_counts_failures_and_switches_off_exactly_at_the_limit(endpoint):
    assert deliveries.endpoint_failed(endpoint_id=endpoint.pk, error="e1") is False
    assert deliveries.endpoint_failed(endpoint_id=endpoint.pk, error="e2") is False
    endpoint.refresh_from_db()
    assert (endpoint.failures, endpoint.active, endpoint.disabled_at) == (2, True, None)
    before = timezone.now()
    assert deliveries.endpoint_failed(endpoint_id=endpoint.pk, error="x" * 400) is True
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.failures, endpoint.disabled_reason) == (False, 0, "x" * 300)
    assert before <= endpoint.disabled_at <= timezone.now()
    assert endpoint.owners_notified_at is not None  # told at once


def test_a_switched_off_endpoint_is_not_switched_off_again(endpoint):
    Endpoint.objects.filter(pk=endpoint.pk).update(
        active=False, failures=5, disabled_at=timezone.now() - datetime.timedelta(days=1), disabled_reason="old"
    )
    assert deliveries.endpoint_failed(endpoint_id=endpoint.pk, error="new") is False
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == "old" and mail.outbox == []


def test_switching_off_gives_up_only_its_own_pending_deliveries(endpoint, campaign):
    other = Endpoint.objects.create(campaign=campaign, url="https://other.example.org/", events=["period.closed"])
    waiting = delivery_for(endpoint, "a")
    Delivery.objects.filter(pk=waiting.pk).update(claimed_until=timezone.now() + datetime.timedelta(minutes=1))
    delivered = delivery_for(endpoint, "b", status="delivered")
    elsewhere = delivery_for(other, "c")
    Endpoint.objects.filter(pk=endpoint.pk).update(failures=2)
    assert deliveries.endpoint_failed(endpoint_id=endpoint.pk, error="answered 500") is True
    waiting.refresh_from_db()
    assert (waiting.status, waiting.claimed_until) == ("failed", None)
    assert waiting.last_error == "the endpoint was disabled: it kept failing"
    assert Delivery.objects.get(pk=delivered.pk).status == "delivered"
    assert Delivery.objects.get(pk=elsewhere.pk).status == "pending"


def test_the_owners_mail_says_which_url_why_and_where_to_switch_it_on(endpoint, campaign, alice, bob, settings):
    settings.SITE_URL = "https://fund.example.org"
    no_address = UserFactory(username="dora", email="")
    owner_add(organization=campaign.organization, user=no_address)
    stranger = UserFactory(username="erin")
    owner_add(organization=OrganizationFactory(name="Erin's club"), user=stranger)
    Endpoint.objects.filter(pk=endpoint.pk).update(failures=2)
    deliveries.endpoint_failed(endpoint_id=endpoint.pk, error="https://hooks.example.org/fund answered 500")
    [message] = mail.outbox
    assert message.to == [alice.email]  # bob is an editor, dora has no address, erin is elsewhere
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    title = campaign.title
    assert message.subject == f"{title}: events to https://hooks.example.org/fund are switched off"
    assert message.body == (
        f"Events of {title} to https://hooks.example.org/fund failed 3 times in a row (the last: "
        "https://hooks.example.org/fund answered 500), so the endpoint was disabled and its waiting events given "
        'up.\n\nOnce the URL answers again, tick "Active" on its page to switch it back on:\n'
        f"https://fund.example.org/admin/integrations/endpoint/{endpoint.pk}/change/\n"
    )


def test_owners_are_told_once(endpoint, alice):
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False, disabled_at=timezone.now(), disabled_reason="e")
    before = timezone.now()
    assert deliveries.endpoints_unnotified() == [endpoint.pk]
    assert deliveries.endpoint_disabled_notify(endpoint_id=endpoint.pk) is True
    endpoint.refresh_from_db()
    assert before <= endpoint.owners_notified_at <= timezone.now()
    assert deliveries.endpoints_unnotified() == []
    assert deliveries.endpoint_disabled_notify(endpoint_id=endpoint.pk) is False
    assert len(mail.outbox) == 1


def test_an_active_or_never_disabled_endpoint_is_nobody_to_tell(endpoint, campaign):
    active = Endpoint.objects.create(campaign=campaign, url="https://a.example.org/", events=[])
    Endpoint.objects.filter(pk=active.pk).update(disabled_at=timezone.now())  # switched back on, not yet told
    off = Endpoint.objects.create(campaign=campaign, url="https://b.example.org/", events=[], active=False)
    assert deliveries.endpoints_unnotified() == []
    for candidate in (endpoint, active, off):
        assert deliveries.endpoint_disabled_notify(endpoint_id=candidate.pk) is False
    assert mail.outbox == []
    assert Endpoint.objects.filter(owners_notified_at__isnull=False).count() == 0


def test_without_an_owner_with_an_address_no_mail_goes_and_it_counts_as_told(db, settings):
    organization = OrganizationFactory(name="Nobody's club")
    owner_add(organization=organization, user=UserFactory(username="frank", email=""))
    campaign = CampaignFactory(organization=organization, slug="nobody")
    endpoint = Endpoint.objects.create(
        campaign=campaign, url="https://c.example.org/", events=[], active=False, disabled_at=timezone.now()
    )
    assert deliveries.endpoint_disabled_notify(endpoint_id=endpoint.pk) is True
    assert mail.outbox == [] and deliveries.endpoints_unnotified() == []


def test_the_sweep_reads_at_most_100_endpoints_to_tell_at_a_time(campaign):
    Endpoint.objects.bulk_create(
        Endpoint(
            campaign=campaign, url=f"https://h{n}.example.org/", events=[], active=False, disabled_at=timezone.now()
        )
        for n in range(101)
    )
    assert len(deliveries.endpoints_unnotified()) == 100


def test_telling_one_endpoints_owners_leaves_another_disabled_endpoint_to_its_own_turn(endpoint, alice):
    Endpoint.objects.filter(pk=endpoint.pk).update(active=False, disabled_at=timezone.now())
    organization = OrganizationFactory(name="Gina's club")
    gina = UserFactory(username="gina")
    owner_add(organization=organization, user=gina)
    theirs = Endpoint.objects.create(
        campaign=CampaignFactory(organization=organization, slug="ginas", title="Gina's"),
        url="https://gina.example.org/",
        events=[],
        active=False,
        disabled_at=timezone.now(),
    )
    assert deliveries.endpoint_disabled_notify(endpoint_id=theirs.pk) is True
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([gina.email], "Gina's: events to https://gina.example.org/ are switched off")
    ]
    assert deliveries.endpoints_unnotified() == [endpoint.pk]
    assert deliveries.endpoint_disabled_notify(endpoint_id=endpoint.pk) is True
    assert mail.outbox[1].to == [alice.email] and "https://hooks.example.org/fund" in mail.outbox[1].body


def test_an_endpoint_is_switched_off_by_its_own_failures_only(endpoint, campaign):
    # Another endpoint already past a lowered limit stays on until its own next failure.
    other = Endpoint.objects.create(campaign=campaign, url="https://other.example.org/", events=["period.closed"])
    Endpoint.objects.filter(pk=other.pk).update(failures=10)
    waiting = delivery_for(other, "o")
    assert deliveries.endpoint_failed(endpoint_id=endpoint.pk, error="answered 500") is False
    other.refresh_from_db()
    assert (other.active, other.failures, other.disabled_at) == (True, 10, None)
    assert Delivery.objects.get(pk=waiting.pk).status == "pending" and mail.outbox == []
    assert deliveries.endpoint_failed(endpoint_id=other.pk, error="answered 500") is True


def test_switched_on_again_and_failing_again_its_owners_are_told_again(endpoint, alice):
    Endpoint.objects.filter(pk=endpoint.pk).update(failures=2)
    deliveries.endpoint_failed(endpoint_id=endpoint.pk, error="answered 500")
    Endpoint.objects.filter(pk=endpoint.pk).update(active=True)  # the owner ticked "Active" again
    for _ in range(3):
        deliveries.endpoint_failed(endpoint_id=endpoint.pk, error="answered 502")
    assert [m.to for m in mail.outbox] == [[alice.email], [alice.email]]
    assert "(the last: answered 502)" in mail.outbox[1].body
