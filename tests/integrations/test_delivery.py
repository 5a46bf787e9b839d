"""One try of a delivery: only a 2xx answer delivers it; anything else is recorded and tried again later."""

import datetime

import pytest
from django.utils import timezone

from fundraising.integrations import delivery as deliveries
from fundraising.integrations.models import Delivery, Endpoint


@pytest.fixture
def pending(db, campaign, receiver):
    endpoint = Endpoint.objects.create(
        campaign=campaign, url=receiver.url, events=["donation.succeeded"], secret="whsec_owner"
    )
    return Delivery.objects.create(
        endpoint=endpoint, event_id="evt_1", event_type="donation.succeeded", event_key="k1", payload={"a": 1}
    )


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_leaves_the_delivery_pending_and_retries_it(pending, receiver, status):
    # A redirect may point inside our network (the check saw only the first URL): it is never followed,
    # and the owner's endpoint has not taken the event, so it is not delivered.
    receiver.redirect, receiver.redirect_status = f"{receiver.url}-target", status
    before = timezone.now()
    with pytest.raises(deliveries.DeliveryRejected) as rejected:
        deliveries.delivery_attempt(delivery_id=pending.pk)
    assert rejected.value.attempts == 1
    pending.refresh_from_db()
    assert (pending.status, pending.attempts, pending.last_status_code) == ("pending", 1, status)
    assert pending.last_error == f"answered {status}" and pending.delivered_at is None
    assert pending.due_at >= before + datetime.timedelta(seconds=deliveries.backoff_seconds(1))
    assert receiver.followed == [] and len(receiver.posts) == 1

    receiver.redirect = None  # the owner fixed the endpoint: the next try delivers it
    assert deliveries.delivery_attempt(delivery_id=pending.pk) is True
    pending.refresh_from_db()
    assert (pending.status, pending.attempts, pending.last_status_code) == ("delivered", 2, 200)
