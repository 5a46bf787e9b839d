"""A receipt whose queued send was lost with Redis's data (emptied, or restarted without persistence) is sent
by the notices' sweep, exactly once: the row, not the queued task, is the promise."""

import datetime

import pytest
import redis
from django.utils import timezone

from fundraising.payments import tasks as payment_tasks
from fundraising.payments.models import StripeEvent
from fundraising.supporters import tasks
from fundraising.supporters.models import Notice
from tests.stripe_standin import events
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


def test_it_sends_a_receipt_lost_with_redis_once(celery_workers, redis_url, campaign, client):
    evt = events.event("checkout.session.completed", events.checkout_session(amount=4200, campaign="lights"))
    events.post_event(client, evt, processed=False)  # no worker yet: the event's task waits in Redis
    # The event is processed here; after its commit the receipt's send is queued in Redis.
    payment_tasks.stripe_event_process_task.apply((StripeEvent.objects.get(stripe_id=evt["id"]).pk,))
    notice = Notice.objects.get(kind=Notice.Kind.RECEIPT)
    assert notice.status == Notice.Status.QUEUED

    redis.Redis.from_url(redis_url).flushdb()  # Redis loses everything it held: the queued send too
    worker = celery_workers()
    assert tasks.notices_sweep.apply().result == 0  # within its minute the send may still be on its way
    Notice.objects.filter(pk=notice.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=2))
    notice.refresh_from_db()
    assert notice.status == Notice.Status.QUEUED  # nothing sent it: the queued task is gone

    assert tasks.notices_sweep.apply().result == 1  # what beat runs every minute
    wait_for(lambda: Notice.objects.get(pk=notice.pk).status == Notice.Status.SENT, 30,
             f"the receipt was never sent:\n{worker.output()[-3000:]}")  # fmt: skip
    assert tasks.notices_sweep.apply().result == 0
    notice.refresh_from_db()
    assert notice.attempts == 1
    sent = worker.output().count("To: donor@example.com")  # the worker's console mail backend
    assert sent == 1, worker.output()[-3000:]
