"""What the ledger announces to the layers above it, so that it never has to import them."""

from django.dispatch import Signal

# Sent after the transaction that changed a period's donations commits; keyword argument: period_id.
# fundraising.pipeline connects the refresh of totals, milestones and widgets to it.
period_changed = Signal()
