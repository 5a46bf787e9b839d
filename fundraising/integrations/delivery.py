"""Sending one Delivery: sign it, POST it through the one door for outgoing HTTP (fundraising.core.outgoing),
and keep what happened on the row (the delivery log)."""

import hashlib
import hmac
import json
import time

from django.db.models import F
from django.utils import timezone

from fundraising.core import outgoing

from .models import Delivery

SIGNATURE_HEADER = "Fundraising-Signature"


def signature(*, secret, timestamp, body):
    """Like Stripe's scheme: HMAC-SHA256 of "<timestamp>.<body>", sent as "t=<timestamp>,v1=<hex>"."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class DeliveryRejected(Exception):
    """The endpoint answered something other than 2xx; retried."""


def delivery_attempt(*, delivery_id):
    """POST once; True when delivered (or nothing left to do). Raises OSError or DeliveryRejected to retry."""
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return True
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "fundraising-events/1",
        "Fundraising-Event": delivery.event_type,
        SIGNATURE_HEADER: signature(secret=endpoint.secret, timestamp=int(time.time()), body=body),
    }
    attempted = {"attempts": F("attempts") + 1, "last_attempt_at": timezone.now()}
    try:
        status = outgoing.post(endpoint.url, body=body, headers=headers).status
    except outgoing.OutgoingRefused as exc:  # an internal address: never retried
        delivery_record(delivery, status=Delivery.Status.FAILED, last_error=str(exc)[:300], **attempted)
        return True
    except OSError as exc:
        delivery_record(delivery, last_error=f"{type(exc).__name__}: {exc}"[:300], last_status_code=None, **attempted)
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
    delivery_record(delivery, last_status_code=status, last_error=f"answered {status}", **attempted)
    raise DeliveryRejected(f"{endpoint.url} answered {status}")


def delivery_give_up(*, delivery_id):
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(status=Delivery.Status.FAILED)


def delivery_record(delivery, **fields):
    Delivery.objects.filter(pk=delivery.pk).update(**fields)
