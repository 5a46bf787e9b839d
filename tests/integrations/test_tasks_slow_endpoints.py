"""An owner's URL that never answers, or drips its answer, stalls nothing: the request that made the event
returns at once (without a broker the sweep posts, never the request), each try is cut at its deadline, an
endpoint holds at most OUTGOING_MAX_IN_FLIGHT tries, and one that keeps failing is disabled, its owners told."""

import datetime
import time

import pytest
from django.core import mail
from django.utils import timezone

from fundraising.integrations import delivery as deliveries
from fundraising.integrations import tasks
from fundraising.integrations.models import Delivery, Endpoint
from tests.loopback import raw_server
from tests.stripe_standin import events


def never_answer(conn, stop, state):
    stop.wait()


def drip_header_lines(conn, stop, state):
    """A new header line now and then, each far within any per-read timeout: only a total deadline ends it."""
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    while not stop.wait(0.4):
        state["sent"] += conn.send(b"X-Slow: a\r\n")


@pytest.fixture
def brokerless(settings):
    """The embedded default (no REDIS_URL, as in tests), with loopback allowed and a short deadline."""
    settings.OUTGOING_ALLOW_PRIVATE = True
    settings.OUTGOING_TIMEOUT_SECONDS = 1


def gift(client, amount=4200):
    session = events.checkout_session(amount=amount, email="ada@example.com")
    started = time.monotonic()
    response = events.post_event(client, events.event("checkout.session.completed", session))
    return response, time.monotonic() - started


@pytest.mark.parametrize("answer", [never_answer, drip_header_lines])
def test_the_webhook_returns_at_once_and_the_sweep_cuts_the_try_at_its_deadline(client, campaign, brokerless, answer):
    with raw_server(answer, seconds=8) as server:
        Endpoint.objects.create(
            campaign=campaign, url=f"http://127.0.0.1:{server['port']}/hook", events=["donation.succeeded"]
        )
        response, took = gift(client)
        assert response.status_code == 200 and took < 1  # nothing was posted inside the request
        delivery = Delivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("pending", 0)

        started = time.monotonic()
        assert tasks.deliveries_sweep() == 1
        took = time.monotonic() - started
    assert 1 <= took < 2.5  # the server would have gone on for 8 s
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error.startswith("TimeoutError")
    assert delivery.due_at > timezone.now()  # the retry is scheduled on the row, not run now
    assert tasks.deliveries_sweep() == 0


def test_a_failed_try_is_retried_by_a_later_sweep_never_inline(client, campaign, brokerless, receiver):
    receiver.failures = 1
    Endpoint.objects.create(campaign=campaign, url=receiver.url, events=["donation.succeeded"])
    gift(client)
    assert tasks.deliveries_sweep() == 1
    assert len(receiver.posts) == 1 and Delivery.objects.get().status == "pending"
    later = timezone.now() + datetime.timedelta(minutes=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert tasks.deliveries_sweep() == 1
    delivery = Delivery.objects.get()
    assert len(receiver.posts) == 2 and (delivery.status, delivery.attempts) == ("delivered", 2)


def test_an_endpoint_holds_at_most_its_share_of_tries(campaign, settings):
    settings.OUTGOING_MAX_IN_FLIGHT = 1
    slow, other = (
        Endpoint.objects.create(campaign=campaign, url=f"https://hooks{n}.example.org/", events=["period.closed"])
        for n in (1, 2)
    )
    first, second, elsewhere = (
        Delivery.objects.create(endpoint=endpoint, event_id=key, event_type="period.closed", event_key=key, payload={})
        for endpoint, key in ((slow, "a"), (slow, "b"), (other, "c"))
    )
    assert deliveries.delivery_claim(delivery_id=first.pk)
    assert not deliveries.delivery_claim(delivery_id=second.pk)  # its endpoint already has a try under way
    assert deliveries.delivery_claim(delivery_id=elsewhere.pk)
    Delivery.objects.filter(pk=first.pk).update(claimed_until=None)  # the first try ended
    assert deliveries.delivery_claim(delivery_id=second.pk)


def test_an_endpoint_that_keeps_failing_is_disabled_and_its_owners_told(campaign, receiver, settings, alice):
    settings.OUTGOING_DISABLE_AFTER = 3
    receiver.failures = 100
    endpoint = Endpoint.objects.create(campaign=campaign, url=receiver.url, events=["period.closed"])
    pending = [
        Delivery.objects.create(endpoint=endpoint, event_id=key, event_type="period.closed", event_key=key, payload={})
        for key in "abc"
    ]
    for delivery in pending[:2]:
        with pytest.raises(deliveries.DeliveryRejected):
            deliveries.delivery_attempt(delivery_id=delivery.pk)
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failures == 2 and mail.outbox == []
    with pytest.raises(deliveries.DeliveryRejected):
        deliveries.delivery_attempt(delivery_id=pending[0].pk)
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_at and "answered 500" in endpoint.disabled_reason
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [alice.email]
    assert receiver.url in mail.outbox[0].body and "Active" in mail.outbox[0].body
    assert tasks.deliveries_sweep() == 0 and len(mail.outbox) == 1  # told once


def test_the_sweep_tells_owners_whose_mail_was_lost(campaign, alice):
    endpoint = Endpoint.objects.create(
        campaign=campaign, url="https://hooks.example.org/", events=["period.closed"], active=False
    )
    Endpoint.objects.filter(pk=endpoint.pk).update(disabled_at=timezone.now(), disabled_reason="answered 500")
    tasks.deliveries_sweep()
    assert [message.to for message in mail.outbox] == [[alice.email]]
