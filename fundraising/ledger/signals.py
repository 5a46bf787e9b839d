"""What the ledger announces to the layers above it, so that it never has to import them."""

from django.dispatch import Signal

# Sent after the transaction that changed a period's donations commits; keyword argument: period_id.
# fundraising.pipeline connects the refresh of totals, milestones and widgets to it.
period_changed = Signal()

# Sent after commit when a donation becomes counted (its payment went through); keyword argument: donation_id.
# Sent once per transition, but receivers must still be idempotent: the same payment may be settled again
# by a replayed event in another transaction. fundraising.supporters sends the receipt.
donation_counted = Signal()

# Sent after commit each time a counted donation is settled with a refund on it; keyword arguments:
# donation_id, amount_refunded (the running total). Receivers key their work on that total.
donation_refunded = Signal()
