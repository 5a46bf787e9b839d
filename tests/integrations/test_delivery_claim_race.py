"""PostgreSQL, two workers at once: of two tries of one endpoint claimed at the same moment, no more than
OUTGOING_MAX_IN_FLIGHT go under way.

Each claim counts the endpoint's tries under way, then claims its own (delivery.delivery_claim). Without the
endpoint's row lock around the two, a second worker counts while the first one's claim is not yet committed, sees
none under way, and claims too: a slow URL then holds every worker instead of its share.

The order is made, not hoped for: a third connection holds the first delivery's row, so the first worker stops at
its claim's UPDATE, after its count and with the endpoint locked. The second worker starts only then."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from fundraising.integrations import delivery as deliveries
from fundraising.integrations.models import Delivery, Endpoint
from tests.locks import lock_waiters

pytestmark = pytest.mark.postgres


def until(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the workers never reached the expected point"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_one_endpoint_at_once_start_one_try(postgres, campaign, settings):
    settings.OUTGOING_MAX_IN_FLIGHT = 1
    endpoint = Endpoint.objects.create(campaign=campaign, url="https://hooks.example.org/", events=["period.closed"])
    first, second = (
        Delivery.objects.create(endpoint=endpoint, event_id=key, event_type="period.closed", event_key=key, payload={})
        for key in ("a", "b")
    )
    claimed, errors = {}, []

    def worker(delivery):
        try:
            claimed[delivery.event_key] = deliveries.delivery_claim(delivery_id=delivery.pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    params = connection.get_connection_params()
    with psycopg.connect(**params) as holder:  # a transaction of its own, holding the first delivery's row
        holder.execute("SELECT 1 FROM integrations_delivery WHERE id = %s FOR UPDATE", [first.pk])
        one = threading.Thread(target=worker, args=(first,))
        one.start()
        until(lambda: lock_waiters() == 1)  # the first worker waits at its claim, the endpoint locked
        two = threading.Thread(target=worker, args=(second,))
        two.start()
        # With the endpoint's lock the second worker queues behind the first; without it, it claims at once.
        until(lambda: lock_waiters() == 2 or not two.is_alive())
        holder.rollback()
    one.join(20)
    two.join(20)
    assert not one.is_alive() and not two.is_alive() and errors == [], errors

    assert claimed == {"a": True, "b": False}
    under_way = Delivery.objects.filter(endpoint=endpoint, claimed_until__isnull=False)
    assert list(under_way.values_list("event_key", flat=True)) == ["a"]
