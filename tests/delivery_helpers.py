"""Outgoing events as the embedded default sends them: beat's sweep makes every try, so a test runs the sweep
until nothing is pending, the clock moved past each retry's backoff (hours of sweeps, at once)."""

import datetime
from unittest import mock

from django.utils import timezone

from fundraising.integrations import tasks
from fundraising.integrations.delivery import MAX_ATTEMPTS
from fundraising.integrations.models import Delivery


def deliveries_drain(*, rounds=MAX_ATTEMPTS + 1):
    """Sweep until no delivery is pending (or `rounds` sweeps); returns the number of tries made."""
    tries, now = 0, timezone.now()
    for _ in range(rounds):
        due = Delivery.objects.filter(status=Delivery.Status.PENDING).order_by("-due_at").values_list("due_at")
        latest = due.first()
        if latest is None:
            break
        now = max(now, latest[0] + datetime.timedelta(seconds=1))
        with mock.patch("django.utils.timezone.now", return_value=now):
            tries += tasks.deliveries_sweep()
    return tries
