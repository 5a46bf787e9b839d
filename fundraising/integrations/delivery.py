"""Sending one Delivery: sign it, POST it through the one door for outgoing HTTP (fundraising.core.outgoing),
and keep what happened on the row (the delivery log)."""

import datetime
import hashlib
import hmac
import json
import time

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fundraising.campaigns.models import Membership
from fundraising.core import due, outgoing

from .models import Delivery, Endpoint

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
    """Take the delivery for one try: True when it is pending, no other process holds it and its endpoint has
    fewer than OUTGOING_MAX_IN_FLIGHT tries under way (a slow URL holds that many workers at most; the rest of
    its deliveries stay due and the sweep tries them later). The endpoint's row lock orders its claims."""
    now = now or timezone.now()
    pending = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING)
    endpoint_id = pending.values_list("endpoint_id", flat=True).first()
    if endpoint_id is None:
        return False
    with transaction.atomic():
        list(Endpoint.objects.select_for_update().filter(pk=endpoint_id).values_list("pk"))
        in_flight = Delivery.objects.filter(
            endpoint_id=endpoint_id, status=Delivery.Status.PENDING, claimed_until__gt=now
        ).exclude(pk=delivery_id)
        if in_flight.count() >= settings.OUTGOING_MAX_IN_FLIGHT:
            return False
        return due.row_claim(pending, seconds=CLAIM_SECONDS, now=now)


def deliveries_due(*, now=None, grace=datetime.timedelta(seconds=60), limit=500):
    """Ids of pending deliveries whose try is overdue by `grace` (its queued task was lost; 0 without a broker,
    where nothing is queued and the sweep makes every try), oldest first."""
    pending = Delivery.objects.filter(status=Delivery.Status.PENDING, endpoint__active=True)
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
        error = f"{type(exc).__name__}: {exc}"[:300]
        delivery_record(delivery, last_error=error, last_status_code=None, **attempted, **retry)
        endpoint_failed(endpoint_id=endpoint.pk, error=error)
        exc.attempts = attempts
        raise
    if 200 <= status < 300:
        Endpoint.objects.filter(pk=endpoint.pk, failures__gt=0).update(failures=0)
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
    endpoint_failed(endpoint_id=endpoint.pk, error=f"{endpoint.url} answered {status}")
    rejected = DeliveryRejected(f"{endpoint.url} answered {status}")
    rejected.attempts = attempts
    raise rejected


def delivery_give_up(*, delivery_id):
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.FAILED, claimed_until=None
    )


def delivery_record(delivery, **fields):
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


def endpoint_failed(*, endpoint_id, error):
    """Count a failed try; after OUTGOING_DISABLE_AFTER in a row the endpoint is switched off (its pending
    deliveries given up, so nothing queues behind a dead URL) and its owners are told."""
    Endpoint.objects.filter(pk=endpoint_id).update(failures=F("failures") + 1)
    disabled = Endpoint.objects.filter(
        pk=endpoint_id, active=True, failures__gte=settings.OUTGOING_DISABLE_AFTER
    ).update(active=False, failures=0, disabled_at=timezone.now(), disabled_reason=error[:300], owners_notified_at=None)
    if not disabled:
        return False
    Delivery.objects.filter(endpoint_id=endpoint_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.FAILED, claimed_until=None, last_error="the endpoint was disabled: it kept failing"
    )
    endpoint_disabled_notify(endpoint_id=endpoint_id)
    return True


def endpoint_disabled_notify(*, endpoint_id):
    """E-mail the organisation's owners that the endpoint was disabled, once; the sweep calls it again for an
    endpoint whose mail did not go (a crash may send twice, never zero times)."""
    with transaction.atomic():
        endpoint = (
            Endpoint.objects.select_for_update(of=("self",))
            .select_related("campaign__organization")
            .filter(pk=endpoint_id, active=False, disabled_at__isnull=False, owners_notified_at__isnull=True)
            .first()
        )
        if endpoint is None:
            return False
        campaign = endpoint.campaign
        recipients = list(
            Membership.objects.filter(organization=campaign.organization, role=Membership.Role.OWNER)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        if recipients:
            send_mail(
                f"{campaign.title}: events to {endpoint.url} are switched off",
                f"Events of {campaign.title} to {endpoint.url} failed {settings.OUTGOING_DISABLE_AFTER} times in a "
                f"row (the last: {endpoint.disabled_reason}), so the endpoint was disabled and its waiting events "
                f'given up.\n\nOnce the URL answers again, tick "Active" on its page to switch it back on:\n'
                f"{settings.SITE_URL}/admin/integrations/endpoint/{endpoint.pk}/change/\n",
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
        Endpoint.objects.filter(pk=endpoint.pk).update(owners_notified_at=timezone.now())
    return True


def endpoints_unnotified():
    """Disabled endpoints whose owners have not been told yet (the mail failed, the process died)."""
    unnotified = Endpoint.objects.filter(active=False, disabled_at__isnull=False, owners_notified_at__isnull=True)
    return list(unnotified.values_list("pk", flat=True)[:100])
