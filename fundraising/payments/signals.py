"""What the payments layer announces to the layers above it (sent on commit)."""

from django.dispatch import Signal

# A monthly gift's renewal could not be charged (invoice.payment_failed). Keyword arguments:
# invoice_id, attempt (Stripe's attempt_count), subscription_id, email, campaign_id (or None).
renewal_failed = Signal()
