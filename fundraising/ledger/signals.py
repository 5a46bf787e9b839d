"""What the ledger announces to the layers above it, so that it never has to import them.

Every signal is sent after the transaction that made the change commits (callers use `announce`)."""

import functools
import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Keyword argument: period_id. fundraising.pipeline connects the refresh of totals, milestones and widgets.
period_changed = Signal()

# Sent after commit when a donation becomes counted (its payment went through); keyword argument: donation_id.
# Sent once per transition, but receivers must still be idempotent: the same payment may be settled again
# by a replayed event in another transaction. fundraising.supporters sends the receipt.
donation_counted = Signal()

# Sent after commit each time a counted donation is settled with a refund on it; keyword arguments:
# donation_id, amount_refunded (the running total). Receivers key their work on that total.
donation_refunded = Signal()

# The outgoing events of fundraising.integrations connect to these.
# donation_id, before, after: a ledger row's status changed (a new paid gift goes from pending to succeeded).
donation_status_changed = Signal()
# campaign_ids, subscription_id, ended_at: a monthly gift was cancelled (sent by fundraising.payments).
subscription_ended = Signal()
# crossing_id: a milestone (or the target) was reached for the first time (sent by fundraising.pipeline).
milestone_reached = Signal()
# period_ids: months closed (sent by the rollover, once per batch it closes: a month-end closes thousands).
periods_closed = Signal()


def announce(signal, **kwargs):
    """Send `signal` once the current transaction commits (at once outside one). A failing receiver
    is logged and never keeps the other after-commit work (the period refreshes) from running."""
    transaction.on_commit(functools.partial(signal_send, signal, kwargs), robust=True)


def signal_send(signal, kwargs):
    for receiver, result in signal.send_robust(sender=None, **kwargs):
        if isinstance(result, Exception):
            logger.error("%s failed on %s", receiver, kwargs, exc_info=result)
