"""Stripe events as received: verified and stored once, then applied to the ledger in batches.

The webhook stores (one INSERT; a second delivery of the same id is a no-op) and queues a drain; a
drain claims fresh events with SKIP LOCKED and applies them through fundraising.payments.handlers. A
failing event gets its own retrying task; the sweep catches whatever the broker lost. The queueing
itself lives in fundraising/payments/tasks.py."""

import dataclasses
import datetime
import time

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from . import readers, stripe_api
from .drain_memo import lookups_forget, lookups_memoised
from .handlers import event_apply
from .models import StripeEvent

# How long "a drain is queued" holds; only matters if that task is lost (the sweep catches up anyway).
DRAIN_QUEUED_SECONDS = 60
# A webhook's drain starts this long after the first event of a burst, so the events arriving meanwhile share its
# transaction, its dispatch and the tasks that follow (one refresh task per batch, one send task for its receipts):
# at 150 events/s a drain applies about 20 at once instead of 2 or 3, for 0.15 s more between webhook and widget.
DRAIN_DEBOUNCE_SECONDS = 0.15
# One drain works this long at most, then hands over to a fresh one, so refreshes get a worker in between.
DRAIN_SLICE_SECONDS = 0.25
DRAIN_SLICE_EVENTS = 1000
# Events applied per transaction: one commit (and one claim, one update) for the lot.
DRAIN_BATCH = 50
# Long enough that an event normally waiting its turn in the queue is not queued twice.
SWEEP_AFTER_SECONDS = 180
SWEEP_BATCH = 500
# Older ones need a person: reconciliation reports them.
SWEEP_WITHIN_DAYS = 7
# An event that failed this many times (its task's retries and the sweep's) is left with its error for a
# person (the StripeEvents admin shows it; reconciliation reports it) instead of being retried forever.
EVENT_MAX_ATTEMPTS = 20


class EventOutOfBounds(ValueError):
    """A verified event that Stripe cannot have sent (an amount above its maximum): refused, never stored."""


def stripe_event_store(*, payload, signature):
    """Verify a webhook body and store its event: (StripeEvent, created).
    Raises stripe_api.SignatureInvalid / stripe_api.StripeNotConfigured / EventOutOfBounds."""
    event = stripe_api.webhook_event_verify(payload=payload, signature=signature)
    if reason := readers.amount_refusal(event):
        raise EventOutOfBounds(reason)
    return stripe_event_record(event=event)


def stripe_event_record(*, event):
    """Store an event dict (from a webhook or Stripe's API) once: (StripeEvent, created).

    The insert is tried first (one statement on the usual path); the unique Stripe id turns a duplicate
    into a read."""
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                stripe_id=str(event["id"])[:255],
                type=str(event.get("type", ""))[:100],
                api_version=str(event.get("api_version") or "")[:40],
                livemode=bool(event.get("livemode")),
                payload=event,
                stripe_created_at=readers.timestamp_read(event.get("created")),
            )
    except IntegrityError:
        return StripeEvent.objects.get(stripe_id=str(event["id"])[:255]), False
    return record, True


# --- draining ----------------------------------------------------------------------------------------


def drain_key(slot):
    return f"stripe-events-drain-queued:{slot}"


def drain_mark_take(*, slots):
    """The first of `slots` drain slots with no drain waiting to start, now marked; None if all are taken."""
    for slot in range(slots):
        if cache.add(drain_key(slot), 1, DRAIN_QUEUED_SECONDS):
            return slot
    return None


def drain_mark_clear(*, slot):
    cache.delete(drain_key(slot))


@dataclasses.dataclass
class Drained:
    applied: int = 0
    failed: list = dataclasses.field(default_factory=list)  # event pks that need their own retrying task
    more: bool = False  # the slice ran out with events possibly left: hand over to another drain


def stripe_events_drain(*, slot=0, seconds=None, limit=None):
    """Process new events in received order while batches come full (a backlog) and the slice lasts.

    The slot's mark is cleared before the first read: an event committed after that queues another drain,
    one committed before it is seen here. So a batch that is not full took every event committed before the
    clear, and the drain stops there: the events that arrived during it wait for their own drain, debounced,
    and share its batch, instead of trickling in twos and threes. Concurrent drains skip each other's locked
    events."""
    seconds, limit = seconds or DRAIN_SLICE_SECONDS, limit or DRAIN_SLICE_EVENTS
    drain_mark_clear(slot=slot)
    deadline = time.monotonic() + seconds
    drained = Drained()
    with lookups_memoised():
        while drained.applied < limit and time.monotonic() < deadline:
            size = min(DRAIN_BATCH, limit - drained.applied)
            if events_batch_apply(size=size, drained=drained) < size:
                return drained
    drained.more = True
    return drained


def _events_fresh():
    """Stored, never-tried events: older ones are the sweep's, failed ones their own retrying task's."""
    fresh = timezone.now() - datetime.timedelta(seconds=SWEEP_AFTER_SECONDS)
    return StripeEvent.objects.filter(processed_at__isnull=True, attempts=0, received_at__gte=fresh)


def events_batch_apply(*, size, drained):
    """Claim up to `size` of the oldest fresh events nobody holds and apply them in one transaction.
    Returns how many were claimed (0 when there were none).

    If one fails the whole lot rolls back and each is applied again in its own transaction, so a bad
    event keeps its error and goes to its own retrying task without holding up the others."""
    batch = []
    try:
        with transaction.atomic():
            claim = _events_fresh().select_for_update(skip_locked=True).order_by("received_at").only("payload")
            batch = list(claim[:size])
            if not batch:
                return 0
            for record in batch:
                event_apply(event=record.payload)
            StripeEvent.objects.filter(pk__in=[r.pk for r in batch]).update(
                processed_at=timezone.now(), attempts=1, error=""
            )
        drained.applied += len(batch)
    except Exception:
        lookups_forget()  # what the failed transaction created is gone
        if not batch:
            raise
        for record in batch:
            if event_apply_alone(event_pk=record.pk):
                drained.applied += 1
            else:
                drained.failed.append(record.pk)
    return len(batch)


def event_apply_alone(*, event_pk):
    """Apply one fresh event in its own transaction: True if applied (or another drain took it), False if it
    failed (its error is recorded)."""
    try:
        with transaction.atomic():
            record = _events_fresh().select_for_update(skip_locked=True).only("payload").filter(pk=event_pk).first()
            if record is None:
                return True
            event_apply(event=record.payload)
            StripeEvent.objects.filter(pk=event_pk).update(processed_at=timezone.now(), attempts=1, error="")
        return True
    except Exception as exc:
        lookups_forget()
        event_failure_record(event_pk=event_pk, exc=exc)
        return False


def event_failure_record(*, event_pk, exc):
    StripeEvent.objects.filter(pk=event_pk).update(
        attempts=F("attempts") + 1, error=f"{type(exc).__name__}: {exc}"[:4000]
    )


def stripe_event_process(*, event_pk):
    """Apply a stored event to the ledger once. A failure keeps its error and attempt count and re-raises
    (the task retries); a processed event is skipped, so any number of runs is safe."""
    try:
        with transaction.atomic():
            record = StripeEvent.objects.select_for_update().only("processed_at", "payload").get(pk=event_pk)
            if record.processed_at is not None:
                return record
            event_apply(event=record.payload)
            StripeEvent.objects.filter(pk=event_pk).update(
                processed_at=timezone.now(), attempts=F("attempts") + 1, error=""
            )
            return record
    except Exception as exc:
        event_failure_record(event_pk=event_pk, exc=exc)
        raise


def stripe_events_unprocessed(*, min_age_seconds=SWEEP_AFTER_SECONDS, now=None):
    """Ids of stored events still unprocessed `min_age_seconds` after they arrived, oldest first; not
    those that already failed EVENT_MAX_ATTEMPTS times."""
    now = now or timezone.now()
    return list(
        StripeEvent.objects.filter(
            processed_at__isnull=True,
            attempts__lt=EVENT_MAX_ATTEMPTS,
            received_at__lte=now - datetime.timedelta(seconds=min_age_seconds),
            received_at__gte=now - datetime.timedelta(days=SWEEP_WITHIN_DAYS),
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
