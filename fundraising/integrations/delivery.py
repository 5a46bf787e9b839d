"""Sending one Delivery: sign it, POST it through the one door for outgoing HTTP (fundraising.core.outgoing),
and keep what happened on the row (the delivery log)."""

import datetime
import hashlib
import hmac
import json
import time

from django.utils import timezone

from fundraising.core import due, outgoing

from .models import Delivery

SIGNATURE_HEADER = "Fundraising-Signature"


def signature(*, secret, timestamp, body):
    """Like Stripe's scheme: HMAC-SHA256 of "<timestamp>.<body>", sent as "t=<timestamp>,v1=<hex>"."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class DeliveryRejected(Exception):
    """The endpoint answered something other than 2xx; retried."""


# Tries of one delivery (the first and 8 retries, about 4 hours) before it is given up.
MAX_ATTEMPTS = 9
# How long one process may hold a delivery while it posts it: longer than the door's deadline.
CLAIM_SECONDS = 120


def backoff_seconds(attempts):
    """After the n-th failed try: 30 s, 1 min, 2 min ... capped at an hour."""
    return min(30 * 2 ** max(attempts - 1, 0), 3600)


def delivery_claim(*, delivery_id, now=None):
    """Take the delivery for one try: True when it is pending and no other process holds it."""
    pending = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING)
    return due.row_claim(pending, seconds=CLAIM_SECONDS, now=now)


def deliveries_due(*, now=None, grace=datetime.timedelta(seconds=60), limit=500):
    """Ids of pending deliveries whose try is overdue by `grace` (its queued task was lost), oldest first."""
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING)
    return due.rows_overdue(pending, grace=grace, limit=limit, now=now)


def delivery_attempt(*, delivery_id):
    """POST once; True when delivered (or nothing left to do, or another process is trying it). Raises OSError
    or DeliveryRejected to retry, after recording the try and when the next one is due (`.attempts` on the
    exception says how many were made)."""
    if not delivery_claim(delivery_id=delivery_id):
        return True
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "fundraising-events/1",
        "Fundraising-Event": delivery.event_type,
        SIGNATURE_HEADER: signature(secret=endpoint.secret, timestamp=int(time.time()), body=body),
    }
    attempts = delivery.attempts + 1  # only the claim's holder writes it
    attempted = {"attempts": attempts, "last_attempt_at": timezone.now(), "claimed_until": None}
    retry = {"due_at": timezone.now() + datetime.timedelta(seconds=backoff_seconds(attempts))}
    try:
        status = outgoing.post(endpoint.url, body=body, headers=headers).status
    except outgoing.OutgoingRefused as exc:  # an internal address: never retried
        delivery_record(delivery, status=Delivery.Status.FAILED, last_error=str(exc)[:300], **attempted)
        return True
    except OSError as exc:
        delivery_record(
            delivery, last_error=f"{type(exc).__name__}: {exc}"[:300], last_status_code=None, **attempted, **retry
        )
        exc.attempts = attempts
        raise
    if 200 <= status < 300:
        delivery_record(
            delivery,
            status=Delivery.Status.DELIVERED,
            delivered_at=timezone.now(),
            last_status_code=status,
            last_error="",
            **attempted,
        )
        return True
    delivery_record(delivery, last_status_code=status, last_error=f"answered {status}", **attempted, **retry)
    rejected = DeliveryRejected(f"{endpoint.url} answered {status}")
    rejected.attempts = attempts
    raise rejected


def delivery_give_up(*, delivery_id):
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.FAILED, claimed_until=None
    )


def delivery_record(delivery, **fields):
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
