"""What each outgoing event says, whole, and to whom it goes: the endpoints of the event's campaign that are
active and chose the event, one delivery per event key, the supporter's e-mail only where the owner opted in."""

import datetime
import re
import uuid
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from fundraising.campaigns.models import MilestoneCrossing
from fundraising.campaigns.services import period_for
from fundraising.integrations import events
from fundraising.integrations.models import Delivery, Endpoint
from tests.factories import CampaignFactory, DonationFactory

PAID = datetime.datetime(2026, 11, 5, 14, 3, 9, tzinfo=datetime.UTC)


@pytest.fixture
def queued():
    with mock.patch.object(events.tasks, "delivery_queue") as queue:
        yield queue


@pytest.fixture
def lights(db):
    return CampaignFactory(slug="lights", title="Lights")


def endpoint_for(campaign, events_chosen=("donation.succeeded",), **fields):
    return Endpoint.objects.create(
        campaign=campaign, url=f"https://h{Endpoint.objects.count()}.example.org/", events=list(events_chosen), **fields
    )


def gift(campaign, **fields):
    values = {"amount": 2500, "paid_at": PAID, "public_name": "Ada", "donor_email": "ada@example.org", **fields}
    return DonationFactory(campaign=campaign, **values)


def test_stamp_is_utc_to_the_second_or_none():
    assert events.stamp(PAID) == "2026-11-05T14:03:09Z"
    assert events.stamp(None) is None


def test_a_donation_event_says_all_this_and_no_more(lights):
    donation = gift(lights, fee_cover=100, kind="monthly", method="")
    assert events.donation_data(donation) == {
        "id": str(donation.pk),
        "amount": 2500,
        "fee_cover": 100,
        "amount_refunded": 0,
        "currency": "usd",
        "formatted": "25 $",
        "kind": "monthly",
        "status": "succeeded",
        "source": "stripe",
        "method": "",
        "public_name": "Ada",
        "anonymous": False,
        "donor_email": "ada@example.org",
        "paid_at": "2026-11-05T14:03:09Z",
        "period": "2026-11-01",
        "reverses": None,
    }


def test_an_anonymous_unpaid_or_reversing_gift(lights):
    anonymous = gift(lights, anonymous=True)
    data = events.donation_data(anonymous)
    assert (data["public_name"], data["anonymous"]) == ("", True)
    unpaid = gift(lights, paid_at=None, status="pending", public_name="Bo")
    data = events.donation_data(unpaid)
    assert (data["paid_at"], data["period"], data["public_name"]) == (None, None, "Bo")
    reversal = gift(lights, amount=2500, reverses=anonymous, source="offline", method="cheque")
    assert events.donation_data(reversal)["reverses"] == str(anonymous.pk)


def test_a_document_goes_to_each_active_endpoint_that_chose_it_e_mail_only_where_opted_in(lights, queued):
    plain = endpoint_for(lights)
    opted_in = endpoint_for(lights, include_donor_email=True)
    endpoint_for(lights, ["donation.refunded"])
    endpoint_for(lights, active=False)
    endpoint_for(CampaignFactory(slug="other"))
    before = timezone.now().replace(microsecond=0)
    created = events.event_publish(
        campaign=lights, event_type="donation.succeeded", key="k", data={"amount": 1, "donor_email": "a@b.c"}
    )
    after = timezone.now()
    deliveries = list(Delivery.objects.order_by("pk"))
    assert created == [d.pk for d in deliveries] and [d.endpoint for d in deliveries] == [plain, opted_in]
    assert queued.call_args_list == [mock.call(pk) for pk in created]
    first, second = (d.payload for d in deliveries)
    assert re.fullmatch(r"evt_[0-9a-f]{32}", first["id"]) and first["id"] != second["id"]
    assert deliveries[0].event_id == first["id"] and deliveries[0].event_type == "donation.succeeded"
    assert deliveries[0].event_key == "k"
    created_at = datetime.datetime.strptime(first["created"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    assert before <= created_at <= after
    assert {k: v for k, v in first.items() if k not in ("id", "created")} == {
        "type": "donation.succeeded",
        "campaign": "lights",
        "data": {"amount": 1},
    }
    assert second["data"] == {"amount": 1, "donor_email": "a@b.c"}


def test_an_event_key_is_published_once_per_endpoint(lights, queued):
    first = endpoint_for(lights)
    events.event_publish(campaign=lights, event_type="donation.succeeded", key="k", data={})
    second = endpoint_for(lights)
    again = events.event_publish(campaign=lights, event_type="donation.succeeded", key="k", data={})
    assert [Delivery.objects.get(pk=pk).endpoint for pk in again] == [second]
    assert Delivery.objects.filter(endpoint=first).count() == 1 and queued.call_count == 2


def test_donation_events_are_keyed_by_gift_and_refunded_total(lights, queued):
    endpoint_for(lights, ["donation.succeeded", "donation.refunded"])
    donation = gift(lights, amount_refunded=700, status="partially_refunded")
    [pk] = events.donation_event(donation_id=donation.pk, event_type="donation.refunded")
    assert Delivery.objects.get(pk=pk).event_key == f"donation.refunded:{donation.pk}:700"
    assert Delivery.objects.get(pk=pk).payload["data"]["amount_refunded"] == 700
    [pk] = events.donation_event(donation_id=donation.pk, event_type="donation.refunded", key="mine")
    assert Delivery.objects.get(pk=pk).event_key == "mine"
    assert events.donation_event(donation_id=uuid.uuid4(), event_type="donation.refunded") == []


def test_a_batch_follows_the_order_given_and_skips_inactive_and_unknown(lights, queued):
    endpoint_for(lights)
    off = CampaignFactory(slug="off")
    endpoint_for(off, active=False)
    late, early, silent = gift(lights, amount=700), gift(lights, amount=900), gift(off)
    created = events.donations_event(
        donation_ids=[early.pk, silent.pk, uuid.uuid4(), late.pk], event_type="donation.succeeded"
    )
    keys = [Delivery.objects.get(pk=pk).event_key for pk in created]
    assert keys == [f"donation.succeeded:{early.pk}:0", f"donation.succeeded:{late.pk}:0"]
    expected = {k: v for k, v in events.donation_data(early).items() if k != "donor_email"}
    assert Delivery.objects.get(pk=created[0]).payload["data"] == expected
    assert events.donations_event(donation_ids=[silent.pk], event_type="donation.succeeded") == []


def test_a_cancelled_subscription_is_announced_to_each_campaign_once(lights, queued):
    other = CampaignFactory(slug="other")
    endpoint_for(lights, ["subscription.cancelled"])
    endpoint_for(other, ["subscription.cancelled"])
    created = events.subscription_event(campaign_ids=[lights.pk, other.pk], subscription_id="sub_9", ended_at=PAID)
    deliveries = Delivery.objects.filter(pk__in=created).order_by("pk")
    assert {(d.endpoint.campaign.slug, d.event_key) for d in deliveries} == {
        ("lights", "subscription.cancelled:sub_9"),
        ("other", "subscription.cancelled:sub_9"),
    }
    assert [d.payload["data"] for d in deliveries] == [
        {"subscription": "sub_9", "ended_at": "2026-11-05T14:03:09Z"}
    ] * 2
    assert events.subscription_event(campaign_ids=[lights.pk], subscription_id="sub_9", ended_at=PAID) == []


def test_a_milestone_event_says_all_this(lights, queued):
    endpoint_for(lights, ["milestone.reached"])
    period = period_for(campaign=lights, when=PAID)
    crossing = MilestoneCrossing.objects.create(period=period, amount=500000, label="All of it")
    MilestoneCrossing.objects.filter(pk=crossing.pk).update(crossed_at=PAID)
    crossing.refresh_from_db()
    [pk] = events.milestone_event(crossing_id=crossing.pk)
    delivery = Delivery.objects.get(pk=pk)
    assert delivery.event_key == f"milestone.reached:{crossing.pk}"
    assert delivery.payload["data"] == {
        "amount": 500000,
        "label": "All of it",
        "formatted": "5,000 $",
        "is_target": True,
        "crossed_at": "2026-11-05T14:03:09Z",
        "period": events.period_data(period),
    }
    assert events.milestone_event(crossing_id=crossing.pk + 1000) == []


def test_a_closed_month_says_all_this_to_the_subscribed_endpoints_only(lights, queued):
    endpoint_for(lights, ["period.closed"])
    endpoint_for(lights, ["period.closed"], active=False)
    deaf = CampaignFactory(slug="deaf")
    endpoint_for(deaf)
    period = period_for(campaign=lights, when=PAID)
    period.raised, period.donors, period.recurring = 12000, 3, 4000
    period.save()
    other = period_for(campaign=deaf, when=PAID)
    with transaction.atomic():
        created = events.periods_event(period_ids=[other.pk, period.pk])
    [delivery] = Delivery.objects.filter(pk__in=created)
    assert delivery.event_key == f"period.closed:{period.pk}"
    assert delivery.payload["data"] == {
        "start": "2026-11-01",
        "end": "2026-11-30",
        "label": period.label,
        "goal": {"kind": "amount", "current": 12000, "target": 500000},
        "raised": 12000,
        "donors": 3,
        "recurring": 4000,
    }
    assert events.periods_event(period_ids=[other.pk]) == []


def test_the_admins_test_event_goes_to_that_endpoint_only_each_time_anew(lights, queued):
    chosen = endpoint_for(lights, [])
    endpoint_for(lights)
    first = events.endpoint_test_send(endpoint=chosen)
    second = events.endpoint_test_send(endpoint=chosen)
    deliveries = list(Delivery.objects.filter(pk__in=first + second).order_by("pk"))
    assert [d.endpoint for d in deliveries] == [chosen, chosen] and Delivery.objects.count() == 2
    assert all(re.fullmatch(r"test:[0-9a-f]{32}", d.event_key) for d in deliveries)
    assert deliveries[0].event_key != deliveries[1].event_key
    assert deliveries[0].event_type == "donation.succeeded"
    assert deliveries[0].payload["data"] == {
        "id": "test",
        "test": True,
        "amount": 2500,
        "currency": "usd",
        "formatted": "25 $",
        "kind": "one_time",
        "status": "succeeded",
        "public_name": "Test supporter",
    }


def test_the_admins_test_event_carries_a_made_up_address_where_the_owner_opted_in(lights, queued):
    opted_in = endpoint_for(lights, include_donor_email=True)
    [pk] = events.endpoint_test_send(endpoint=opted_in)
    assert Delivery.objects.get(pk=pk).payload["data"]["donor_email"] == "supporter@example.org"
