"""A real worker SIGKILLed after the transaction that applied a payment committed, while its dispatch was
sending the receipt: the journal entry stays undispatched, and the sweep later sends the receipt once."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from fundraising.journal import dispatch
from fundraising.journal.models import Entry
from fundraising.ledger.models import Donation
from fundraising.supporters.models import Notice
from tests.factories import DonationFactory
from tests.stripe_standin import events
from tests.worker import wait_for


def blocked_backends():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.worker
@pytest.mark.postgres
def test_a_worker_killed_between_commit_and_dispatch_loses_no_receipt(celery_workers, campaign, client):
    first = celery_workers(visibility_timeout=3)
    pending = DonationFactory(
        campaign=campaign, amount=4200, status="pending", paid_at=None, donor_email="crash@example.com"
    )

    # Another connection inserts the receipt's key and keeps its transaction open: the worker's dispatch,
    # which runs after the payment's transaction committed, waits on that key until we kill it.
    holding, release = threading.Event(), threading.Event()

    def hold_receipt_key():
        try:
            with transaction.atomic():
                Notice.objects.create(key=f"receipt:{pending.pk}", kind="receipt", campaign=campaign,
                                      email="crash@example.com")  # fmt: skip
                holding.set()
                release.wait(60)
                raise IntegrityError("roll back: this row was never the receipt")
        except IntegrityError:
            pass
        finally:
            connections["default"].close()

    holder = threading.Thread(target=hold_receipt_key)
    holder.start()
    assert holding.wait(10)
    session = events.checkout_session(amount=4200, donation=pending.pk, email="crash@example.com")
    events.post_event(client, events.event("checkout.session.completed", session), processed=False)
    wait_for(lambda: Donation.objects.get(pk=pending.pk).paid_at is not None, 30, "the worker never applied it")
    wait_for(blocked_backends, 20, "the dispatch never reached the receipt")

    first.kill()
    release.set()
    holder.join(10)
    entry = Entry.objects.get(kind="donation.counted", donation_id=pending.pk)
    assert entry.dispatched_at is None and not Notice.objects.exists()  # committed, and nothing followed

    celery_workers(visibility_timeout=3)  # the next worker: it sends what the sweep queues
    later = timezone.now() + dispatch.SWEEP_GRACE + datetime.timedelta(seconds=1)
    assert dispatch.entries_sweep(now=later) == 1
    wait_for(lambda: Notice.objects.filter(status="sent").exists(), 30, "the receipt was never sent")
    assert dispatch.entries_sweep(now=later) == 0
    notice = Notice.objects.get()
    assert (notice.key, notice.attempts, notice.email) == (f"receipt:{pending.pk}", 1, "crash@example.com")
