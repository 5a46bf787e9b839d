"""Stored events are drained in batches: each applied once under concurrent drains, a failing one set
aside for its own retries without holding up the rest, old ones left to the sweep."""

import datetime

import pytest
from django.utils import timezone

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.ledger.services import ledger_totals
from fundraising.payments import handlers, stripe_events, tasks
from fundraising.payments.models import StripeEvent
from tests.races import at_once
from tests.stripe_standin import events


def stored(amounts):
    """Events as the webhook stores them, not yet processed (no drain queued)."""
    records = []
    for n, amount in enumerate(amounts):
        session = events.checkout_session(amount=amount, email=f"donor{n}@example.com")
        evt = events.event("checkout.session.completed", session)
        records.append(StripeEvent.objects.create(stripe_id=evt["id"], type=evt["type"], payload=evt))
    return records


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_applies_each_event_once_under_two_concurrent_drains(postgres, campaign):
    amounts = [100 + n for n in range(120)]  # more than one batch each
    stored(amounts)
    applied = at_once([lambda: stripe_events.stripe_events_drain(seconds=60).applied] * 2)

    assert sum(applied) == len(amounts)
    assert Donation.objects.count() == len(amounts)
    assert set(StripeEvent.objects.values_list("attempts", "error")) == {(1, "")}
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()
    period = Period.objects.get()
    assert ledger_totals(period_id=period.pk) == (sum(amounts), len(amounts))


def test_it_sets_a_failing_event_aside_and_applies_the_others(campaign, monkeypatch):
    from fundraising.celery import app

    # Eager Celery replays the set-aside event's retries at once; they fail too, without raising here.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    bad, *good = stored([700, 800, 900])
    handler = handlers.EVENT_HANDLERS["checkout.session.completed"]

    def flaky(obj, when):
        if obj["id"] == bad.payload["data"]["object"]["id"]:
            raise RuntimeError("cannot apply this one")
        return handler(obj, when)

    monkeypatch.setitem(handlers.EVENT_HANDLERS, "checkout.session.completed", flaky)
    assert tasks.stripe_events_drain_task() == 2  # what the worker runs after webhooks

    bad.refresh_from_db()
    assert bad.processed_at is None and bad.error == "RuntimeError: cannot apply this one"
    assert bad.attempts == 1 + 1 + tasks.MAX_RETRIES  # the drain, then its own task and retries
    assert sorted(Donation.objects.values_list("amount", flat=True)) == [800, 900]
    assert not StripeEvent.objects.filter(pk__in=[g.pk for g in good], processed_at__isnull=True).exists()

    monkeypatch.undo()
    tasks.events_sweep.delay(min_age_seconds=0)  # what beat runs every minute
    bad.refresh_from_db()
    assert bad.processed_at is not None and bad.error == ""
    assert sorted(Donation.objects.values_list("amount", flat=True)) == [700, 800, 900]


def test_it_leaves_old_events_to_the_sweep(campaign):
    old, new = stored([500, 600])
    StripeEvent.objects.filter(pk=old.pk).update(received_at=timezone.now() - datetime.timedelta(hours=1))
    assert stripe_events.stripe_events_drain().applied == 1
    assert list(Donation.objects.values_list("amount", flat=True)) == [600]
    tasks.events_sweep.delay()
    assert sorted(Donation.objects.values_list("amount", flat=True)) == [500, 600]


def test_it_hands_over_when_its_slice_is_used_up(campaign, monkeypatch):
    stored([100, 200, 300])
    monkeypatch.setattr(stripe_events, "DRAIN_SLICE_EVENTS", 1)
    # One event per slice: each drain queues the next (run in-process here), until none is left.
    assert tasks.stripe_events_drain_task() == 1
    assert Donation.objects.count() == 3
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()


def test_it_stops_after_a_batch_that_is_not_full(campaign, monkeypatch):
    """An event stored while a batch is being applied waits for the drain its webhook queued (debounced, so
    that the events arriving meanwhile share one batch) instead of trickling into this one."""
    first = stored([100, 200])
    handler = handlers.EVENT_HANDLERS["checkout.session.completed"]
    late = []

    def arriving(obj, when):
        if not late:
            late.extend(stored([300]))  # committed after this drain cleared its mark: its webhook queued another
        return handler(obj, when)

    monkeypatch.setitem(handlers.EVENT_HANDLERS, "checkout.session.completed", arriving)
    drained = stripe_events.stripe_events_drain(seconds=60)
    assert (drained.applied, drained.more) == (2, False)
    assert not StripeEvent.objects.filter(pk__in=[r.pk for r in first], processed_at__isnull=True).exists()
    assert StripeEvent.objects.get(pk=late[0].pk).processed_at is None
    assert stripe_events.stripe_events_drain(seconds=60).applied == 1  # the next drain
    assert sorted(Donation.objects.values_list("amount", flat=True)) == [100, 200, 300]
