"""A process killed between the commit and the dispatch, or a Redis that loses the queued work, delays a
receipt, a refresh or an outgoing event; the sweeps then deliver each exactly once."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from fundraising.integrations.models import Delivery, Endpoint
from fundraising.journal import dispatch
from fundraising.journal.models import Entry
from fundraising.supporters import tasks as supporter_tasks
from fundraising.supporters.models import Notice
from fundraising.widgets.services import snapshot_entry_get
from tests.journal_helpers import dispatch_held
from tests.stripe_standin import events

LATER = datetime.timedelta(minutes=5)


@pytest.fixture
def endpoint(campaign):
    # Nothing listens on port 9; the delivery row is what counts here (its sending is the door's business).
    return Endpoint.objects.create(campaign=campaign, url="http://127.0.0.1:9/hook", events=["donation.succeeded"])


def gift(client, amount=4200):
    session = events.checkout_session(amount=amount, email="late@example.com")
    events.post_event(client, events.event("checkout.session.completed", session))


def test_a_crash_between_commit_and_dispatch_delays_and_never_drops(client, campaign, endpoint, widget_root):
    with dispatch_held():  # the worker applies the event, commits, and dies before the dispatch
        gift(client)
    assert Entry.objects.filter(dispatched_at__isnull=True).count() == 1
    assert mail.outbox == [] and not Delivery.objects.exists()
    assert snapshot_entry_get(slug=campaign.slug)["snapshot"]["raised"] == 0  # the widget has not moved yet

    assert dispatch.entries_sweep(now=timezone.now() + LATER) == 1
    assert [m.to for m in mail.outbox] == [["late@example.com"]]
    assert Delivery.objects.filter(event_type="donation.succeeded").count() == 1
    assert snapshot_entry_get(slug=campaign.slug)["snapshot"]["raised"] == 4200

    assert dispatch.entries_sweep(now=timezone.now() + LATER) == 0  # exactly once
    dispatch.entries_dispatch(entry_ids=list(Entry.objects.values_list("pk", flat=True)))
    assert len(mail.outbox) == 1 and Delivery.objects.count() == 1


def test_consumers_run_again_deliver_nothing_twice(client, campaign, endpoint):
    """The sweep may run a consumer whose first run succeeded (another consumer of the kind failed): every
    consumer is idempotent on what happened."""
    gift(client)
    entry = Entry.objects.get(kind="donation.counted")
    Entry.objects.filter(pk=entry.pk).update(dispatched_at=None)
    dispatch.entries_dispatch(entry_ids=[entry.pk])
    assert len(mail.outbox) == 1 and Delivery.objects.count() == 1
    assert Notice.objects.count() == 1


@pytest.fixture
def broker():
    """Tasks queued as with Redis (run in-process here): sends and first tries are queued at commit, and the
    sweeps wait a minute for a queued task before queueing it again."""
    from fundraising.integrations import tasks as integration_tasks

    with (
        mock.patch.object(integration_tasks, "brokerless", return_value=False),
        mock.patch.object(supporter_tasks, "notices_brokerless", return_value=False),
    ):
        yield


def test_a_receipt_whose_queued_send_was_lost_is_sent_once_by_the_sweep(client, campaign, broker):
    """Redis emptied after the receipt was queued: the Notice row is the promise, the sweep keeps it."""
    with mock.patch.object(supporter_tasks.notice_send, "delay"):  # the queued send is lost with Redis
        gift(client)
    notice = Notice.objects.get()
    assert notice.status == "queued" and mail.outbox == []
    assert supporter_tasks.notices_sweep() == 0  # not overdue yet: its queued send may still come
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + LATER):
        assert supporter_tasks.notices_sweep() == 1
        assert supporter_tasks.notices_sweep() == 0
    notice.refresh_from_db()
    assert notice.status == "sent" and [m.to for m in mail.outbox] == [["late@example.com"]]


def test_two_sends_of_one_notice_at_once_send_it_once(client, campaign):
    """A redelivered task and the sweep's may run together: the claim lets one of them send."""
    from fundraising.supporters import notices

    with mock.patch.object(supporter_tasks.notice_send, "delay"):
        gift(client)
    notice = Notice.objects.get()
    assert notices.notice_claim(notice_id=notice.pk)  # another process is sending it
    assert notices.notice_deliver(notice_id=notice.pk) is None and mail.outbox == []


def test_an_outgoing_event_whose_queued_try_was_lost_is_posted_once_by_the_sweep(client, campaign, receiver, broker):
    """Redis emptied after the delivery was queued: the Delivery row is the promise, the sweep keeps it."""
    from fundraising.integrations import tasks as integration_tasks

    Endpoint.objects.create(campaign=campaign, url=receiver.url, events=["donation.succeeded"])
    with mock.patch.object(integration_tasks.event_deliver, "delay"):  # the queued try is lost with Redis
        gift(client)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and receiver.posts == []
    assert integration_tasks.deliveries_sweep() == 0  # not overdue yet: its queued try may still come
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + LATER):
        assert integration_tasks.deliveries_sweep() == 1
        assert integration_tasks.deliveries_sweep() == 0
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and [post.event for post in receiver.posts] == ["donation.succeeded"]


def test_two_tries_of_one_delivery_at_once_post_it_once(client, campaign, receiver, broker):
    from fundraising.integrations import delivery as deliveries
    from fundraising.integrations import tasks as integration_tasks

    Endpoint.objects.create(campaign=campaign, url=receiver.url, events=["donation.succeeded"])
    with mock.patch.object(integration_tasks.event_deliver, "delay"):
        gift(client)
    delivery = Delivery.objects.get()
    assert deliveries.delivery_claim(delivery_id=delivery.pk)  # another process is posting it
    assert deliveries.delivery_attempt(delivery_id=delivery.pk) is True and receiver.posts == []
