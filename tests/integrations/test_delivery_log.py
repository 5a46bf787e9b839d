"""What one try sends and what it leaves on the delivery's row (the log owners read): the exact request (compact
body, headers, a signature over "<t>.<body>"), the answer's status, the error, the next try's due time; an
internal address failed at once; a delivery that is not pending, or held by another process, left alone."""

import datetime
import hashlib
import hmac
import json
import socket
import time

import pytest
from django.utils import timezone

from fundraising.integrations import delivery as deliveries
from fundraising.integrations.models import Delivery, Endpoint


@pytest.fixture
def endpoint(db, campaign, receiver):
    return Endpoint.objects.create(
        campaign=campaign, url=receiver.url, events=["donation.succeeded"], secret="whsec_owner"
    )


def delivery_for(endpoint, key="k1", payload=None):
    return Delivery.objects.create(
        endpoint=endpoint,
        event_id=f"evt_{key}",
        event_type="donation.succeeded",
        event_key=key,
        payload={"id": "evt_1", "data": {"amount": 2500, "name": "Zoë"}} if payload is None else payload,
    )


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_signature_is_hmac_sha256_of_the_timestamp_a_dot_and_the_body():
    body = b'{"a":1}'
    expected = hmac.new(b"whsec_x", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert deliveries.signature(secret="whsec_x", timestamp=1700000000, body=body) == f"t=1700000000,v1={expected}"


def test_backoff_doubles_from_30_seconds_and_stops_at_an_hour():
    assert [deliveries.backoff_seconds(n) for n in range(0, 9)] == [30, 30, 60, 120, 240, 480, 960, 1920, 3600]
    assert deliveries.backoff_seconds(20) == 3600


def test_a_try_posts_the_compact_body_with_its_headers_signed_now(endpoint, receiver):
    delivery = delivery_for(endpoint)
    before = int(time.time())
    assert deliveries.delivery_attempt(delivery_id=delivery.pk) is True
    after = int(time.time())
    [post] = receiver.posts
    assert post.path == "/hook"
    # Compact JSON, non-ASCII escaped; the keys in the stored payload's order (PostgreSQL's jsonb keeps its own).
    stored = Delivery.objects.get(pk=delivery.pk).payload
    assert post.body == json.dumps(stored, separators=(",", ":")).encode()
    assert b" " not in post.body and b"\\u00eb" in post.body
    assert json.loads(post.body) == {"id": "evt_1", "data": {"amount": 2500, "name": "Zo\u00eb"}}
    headers = {name.lower(): value for name, value in post.headers.items()}  # names are case-insensitive
    assert headers["content-type"].lower() == "application/json"  # a media type is case-insensitive too
    assert headers["user-agent"] == "fundraising-events/1"
    assert headers["fundraising-event"] == "donation.succeeded"
    timestamp = int(dict(part.split("=", 1) for part in post.signature.split(","))["t"])
    assert before <= timestamp <= after
    assert post.signature == deliveries.signature(secret="whsec_owner", timestamp=timestamp, body=post.body)


def test_a_delivered_try_is_logged_and_clears_the_endpoints_failures(endpoint, receiver):
    receiver.failures = 1
    delivery = delivery_for(endpoint)
    with pytest.raises(deliveries.DeliveryRejected):
        deliveries.delivery_attempt(delivery_id=delivery.pk)
    endpoint.refresh_from_db()
    assert endpoint.failures == 1
    other = Endpoint.objects.create(campaign=endpoint.campaign, url="https://other.example.org/", events=[])
    Endpoint.objects.filter(pk=other.pk).update(failures=2)  # another endpoint's count is its own
    Delivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())
    before = timezone.now()
    assert deliveries.delivery_attempt(delivery_id=delivery.pk) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        "delivered",
        2,
        200,
        "",
    )
    assert before <= delivery.delivered_at <= timezone.now()
    assert before <= delivery.last_attempt_at <= timezone.now() and delivery.claimed_until is None
    endpoint.refresh_from_db()
    assert endpoint.failures == 0 and endpoint.active
    assert Endpoint.objects.get(pk=other.pk).failures == 2


@pytest.mark.parametrize("status", [200, 204, 299])
def test_any_2xx_answer_delivers(endpoint, receiver, status):
    receiver.redirect, receiver.redirect_status = f"{receiver.url}-elsewhere", status  # answers `status`
    delivery = delivery_for(endpoint)
    assert deliveries.delivery_attempt(delivery_id=delivery.pk) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("delivered", status)


@pytest.mark.parametrize("status", [300, 404, 500])
def test_any_other_answer_is_logged_counted_and_retried_after_the_backoff(endpoint, receiver, status):
    receiver.redirect, receiver.redirect_status = f"{receiver.url}-elsewhere", status
    delivery = delivery_for(endpoint)
    Delivery.objects.filter(pk=delivery.pk).update(attempts=2)  # two tries before this one
    before = timezone.now()
    with pytest.raises(deliveries.DeliveryRejected) as rejected:
        deliveries.delivery_attempt(delivery_id=delivery.pk)
    after = timezone.now()
    assert str(rejected.value) == f"{receiver.url} answered {status}" and rejected.value.attempts == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 3, status)
    assert delivery.last_error == f"answered {status}" and delivery.delivered_at is None
    assert delivery.claimed_until is None and before <= delivery.last_attempt_at <= after
    backoff = datetime.timedelta(seconds=120)  # after the third failed try
    assert before + backoff <= delivery.due_at <= after + backoff
    endpoint.refresh_from_db()
    assert endpoint.failures == 1 and endpoint.active


def test_an_unreachable_endpoint_is_logged_counted_and_retried(endpoint, receiver):
    receiver.failures = 1
    delivery = delivery_for(endpoint)
    with pytest.raises(deliveries.DeliveryRejected):
        deliveries.delivery_attempt(delivery_id=delivery.pk)  # leaves last_status_code 500
    port = closed_port()
    Endpoint.objects.filter(pk=endpoint.pk).update(url=f"http://127.0.0.1:{port}/hook")
    Delivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())
    before = timezone.now()
    with pytest.raises(OSError) as raised:
        deliveries.delivery_attempt(delivery_id=delivery.pk)
    after = timezone.now()
    assert raised.value.attempts == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 2, None)
    assert (
        delivery.last_error.startswith(f"{type(raised.value).__name__}: ") and str(raised.value) in delivery.last_error
    )
    assert delivery.claimed_until is None and before <= delivery.last_attempt_at <= after
    backoff = datetime.timedelta(seconds=60)  # after the second failed try
    assert before + backoff <= delivery.due_at <= after + backoff
    endpoint.refresh_from_db()
    assert endpoint.failures == 2


def test_a_long_error_is_cut_at_300_characters(endpoint, monkeypatch):
    def refuse(url, **kwargs):
        raise ConnectionResetError("x" * 400)

    monkeypatch.setattr(deliveries.outgoing, "post", refuse)
    delivery = delivery_for(endpoint)
    with pytest.raises(OSError):
        deliveries.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.last_error == ("ConnectionResetError: " + "x" * 400)[:300]


def test_an_internal_address_fails_the_delivery_at_once_and_is_never_retried(endpoint, receiver, settings):
    settings.OUTGOING_ALLOW_PRIVATE = False  # as in production: the receiver listens on 127.0.0.1
    delivery = delivery_for(endpoint)
    before = timezone.now()
    assert deliveries.delivery_attempt(delivery_id=delivery.pk) is True
    delivery.refresh_from_db()
    assert receiver.posts == []
    assert (delivery.status, delivery.attempts, delivery.claimed_until) == ("failed", 1, None)
    assert "127.0.0.1" in delivery.last_error and "refused" in delivery.last_error
    assert before <= delivery.last_attempt_at <= timezone.now()
    endpoint.refresh_from_db()
    assert endpoint.failures == 0 and endpoint.active
    assert deliveries.deliveries_due(grace=datetime.timedelta(0), now=timezone.now() + datetime.timedelta(days=1)) == []


def test_a_refusal_is_cut_at_300_characters(endpoint, monkeypatch):
    def refuse(url, **kwargs):
        raise deliveries.outgoing.OutgoingRefused("y" * 400)

    monkeypatch.setattr(deliveries.outgoing, "post", refuse)
    delivery = delivery_for(endpoint)
    assert deliveries.delivery_attempt(delivery_id=delivery.pk) is True
    delivery.refresh_from_db()
    assert delivery.last_error == "y" * 300


@pytest.mark.parametrize("status", ["delivered", "failed"])
def test_a_delivery_no_longer_pending_is_not_posted_again(endpoint, receiver, status):
    delivery = delivery_for(endpoint)
    delivered_at = timezone.now() if status == "delivered" else None
    Delivery.objects.filter(pk=delivery.pk).update(status=status, attempts=1, delivered_at=delivered_at)
    assert deliveries.delivery_attempt(delivery_id=delivery.pk) is True
    assert receiver.posts == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (status, 1)
    assert deliveries.delivery_claim(delivery_id=delivery.pk) is False


def test_a_delivery_another_process_holds_is_left_to_it(endpoint, receiver):
    delivery = delivery_for(endpoint)
    now = timezone.now()
    assert deliveries.delivery_claim(delivery_id=delivery.pk, now=now) is True
    delivery.refresh_from_db()
    assert delivery.claimed_until == now + datetime.timedelta(seconds=deliveries.CLAIM_SECONDS)
    assert deliveries.CLAIM_SECONDS == 120
    assert deliveries.delivery_attempt(delivery_id=delivery.pk) is True
    assert receiver.posts == []
    # Its claim runs out after 120 s (the holder died): another process takes it then, not before.
    assert not deliveries.delivery_claim(delivery_id=delivery.pk, now=now + datetime.timedelta(seconds=119))
    assert deliveries.delivery_claim(delivery_id=delivery.pk, now=now + datetime.timedelta(seconds=121))


def test_an_unknown_delivery_is_nothing_to_do(db):
    assert deliveries.delivery_claim(delivery_id=987654) is False


def test_giving_up_fails_only_a_pending_delivery_and_releases_it(endpoint):
    pending, delivered, other = delivery_for(endpoint, "a"), delivery_for(endpoint, "b"), delivery_for(endpoint, "c")
    Delivery.objects.filter(pk=pending.pk).update(claimed_until=timezone.now() + datetime.timedelta(minutes=1))
    Delivery.objects.filter(pk=delivered.pk).update(status="delivered", delivered_at=timezone.now())
    deliveries.delivery_give_up(delivery_id=pending.pk)
    deliveries.delivery_give_up(delivery_id=delivered.pk)
    assert Delivery.objects.filter(pk=pending.pk, status="failed", claimed_until=None).exists()
    assert Delivery.objects.get(pk=delivered.pk).status == "delivered"
    assert Delivery.objects.get(pk=other.pk).status == "pending"


def test_the_sweep_takes_pending_deliveries_of_active_endpoints_overdue_by_a_minute(endpoint, campaign):
    off = Endpoint.objects.create(campaign=campaign, url="https://hooks.example.org/", events=[], active=False)
    now = timezone.now() + datetime.timedelta(hours=1)  # as of the moment asked, not the clock
    rows = {}
    for key, owner, status, due in (
        ("late", endpoint, "pending", 61),
        ("just", endpoint, "pending", 60),
        ("recent", endpoint, "pending", 59),
        ("done", endpoint, "delivered", 600),
        ("off", off, "pending", 600),
    ):
        rows[key] = delivery_for(owner, key).pk
        delivered_at = now if status == "delivered" else None
        Delivery.objects.filter(pk=rows[key]).update(
            status=status, due_at=now - datetime.timedelta(seconds=due), delivered_at=delivered_at
        )
    assert deliveries.deliveries_due(now=now) == [rows["late"], rows["just"]]
    assert deliveries.deliveries_due(now=now, limit=1) == [rows["late"]]
    assert deliveries.deliveries_due(now=now, grace=datetime.timedelta(0)) == [
        rows["late"],
        rows["just"],
        rows["recent"],
    ]


def test_many_overdue_deliveries_are_taken_500_at_a_time(endpoint):
    now = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            event_id=f"evt_{n}",
            event_type="donation.succeeded",
            event_key=f"k{n}",
            payload={},
            due_at=now - datetime.timedelta(hours=1),
        )
        for n in range(501)
    )
    assert len(deliveries.deliveries_due(now=now)) == 500


def test_the_posted_body_is_the_payload_as_json(endpoint, receiver):
    delivery = delivery_for(endpoint, payload={"b": [1, 2], "a": None})
    deliveries.delivery_attempt(delivery_id=delivery.pk)
    assert json.loads(receiver.posts[0].body) == {"b": [1, 2], "a": None}
    assert b" " not in receiver.posts[0].body
