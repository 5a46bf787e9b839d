"""What payments does after its own journal entries (registered in PaymentsConfig.ready): a declined card
attempt counts for the velocity rules (fundraising/payments/velocity.py), once per entry."""

from fundraising.journal import kinds

from . import velocity

REGISTRY = [
    (kinds.PAYMENT_DECLINED, velocity.declines_count),
]
