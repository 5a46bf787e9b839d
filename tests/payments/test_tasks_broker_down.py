"""With the broker stopped, the webhook still answers 200; the event is processed once the broker is back."""

import pytest

from fundraising.campaigns.models import Period
from fundraising.payments import tasks as payment_tasks
from fundraising.payments.models import StripeEvent
from tests.stripe_standin import events
from tests.worker import RedisServer, broker_use, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


def test_it_processes_an_event_received_while_the_broker_was_down(celery_workers, campaign, client):
    broker = RedisServer().start()  # a private broker: stopping the shared Redis would hurt others
    try:
        broker_use(broker.url)
        celery_workers(redis_url=broker.url)
        broker.stop()

        evt = events.event("checkout.session.completed", events.checkout_session(amount=6400, campaign="lights"))
        response = events.post_event(client, evt)
        assert response.status_code == 200
        stored = StripeEvent.objects.get(stripe_id=evt["id"])
        assert stored.processed_at is None

        broker.start()  # same port; it comes back empty, as a broker without persistence would
        payment_tasks.events_sweep.delay(min_age_seconds=0)  # what beat runs every minute
        wait_for(lambda: Period.objects.filter(raised=6400).exists(), 40, "the event was never processed")
        stored.refresh_from_db()
        assert stored.processed_at is not None
    finally:
        broker.stop()
