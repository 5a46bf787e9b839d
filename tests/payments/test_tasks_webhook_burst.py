"""200 distinct Stripe events plus 100 duplicates, posted from parallel threads, give totals equal to the ledger."""

import json
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from fundraising.campaigns.models import Period
from fundraising.ledger.models import Donation
from fundraising.ledger.services import ledger_totals
from fundraising.payments.models import StripeEvent
from tests.stripe_standin import events
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


def test_it_keeps_totals_exact_under_a_burst_with_duplicates(celery_workers, campaign):
    worker = celery_workers(concurrency=2)
    distinct = [
        events.event(
            "checkout.session.completed",
            events.checkout_session(amount=100 + i, campaign="lights", email=f"d{i}@example.com"),
        )
        for i in range(200)
    ]
    deliveries = distinct + random.Random(4).sample(distinct, 100)
    random.Random(5).shuffle(deliveries)

    def post(evt):
        try:
            return events.post_event(Client(), evt).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, deliveries))
    assert statuses == [200] * 300

    expected = sum(100 + i for i in range(200))
    snapshot = Path(settings.WIDGET_ROOT) / "current" / "lights.json"

    def settled():
        period = Period.objects.filter(campaign=campaign).first()
        return period and period.raised == expected and json.loads(snapshot.read_bytes())["raised"] == expected

    try:
        wait_for(settled, 60, "totals never reached the ledger's sum", interval=0.25)
    except AssertionError:
        period = Period.objects.filter(campaign=campaign).first()
        unprocessed = StripeEvent.objects.filter(processed_at__isnull=True).count()
        print(f"raised={period and period.raised} expected={expected} unprocessed={unprocessed}")
        print(worker.output()[-6000:])
        raise
    period = Period.objects.get(campaign=campaign)
    assert StripeEvent.objects.count() == 200
    assert not StripeEvent.objects.filter(processed_at__isnull=True).exists()
    assert Donation.objects.filter(campaign=campaign).count() == 200
    assert (period.raised, period.donors) == ledger_totals(period_id=period.pk) == (expected, 200)
