"""Every kind of journal entry, named apart from incoming Stripe events and outgoing (integrations) events.

A kind is "<thing>.<what happened>"; each entry's key starts with its kind."""

# A ledger row became counted (its payment went through, an offline gift was typed in, a reversal was
# appended). data: before, after (statuses), old_period_id.
DONATION_COUNTED = "donation.counted"
# A counted row's refunded total grew; key carries the new total. data: amount_refunded, old_period_id.
DONATION_REFUNDED = "donation.refunded"
# Any other change of a ledger row (a dispute, a late fact, erasure, a hidden message). data: before, after.
DONATION_CHANGED = "donation.changed"
# A period's figures changed without one row to name (a bulk load, a repair): refresh it.
PERIOD_CHANGED = "period.changed"
# A month closed with its final figures (the rollover); key: period.closed:<period>.
PERIOD_CLOSED = "period.closed"
# A milestone or the target was reached for the first time in a period; key: milestone.reached:<crossing>.
# data: crossing_id.
MILESTONE_REACHED = "milestone.reached"
# A monthly gift's subscription ended. data: subscription_id, ended_at.
SUBSCRIPTION_ENDED = "subscription.ended"
# A renewal could not be charged (invoice.payment_failed). data: invoice_id, attempt, subscription_id, email.
RENEWAL_FAILED = "renewal.failed"
# A card was declined inside one of our Checkout Sessions (payment_intent.payment_failed); key:
# payment.declined:<payment intent>:<attempt>. data: payment_intent, attempt, code.
PAYMENT_DECLINED = "payment.declined"
# A campaign was created or changed (campaign_update). data: slug, old_slug, active, title, target.
CAMPAIGN_UPDATED = "campaign.updated"

ALL = [
    DONATION_COUNTED,
    DONATION_REFUNDED,
    DONATION_CHANGED,
    PERIOD_CHANGED,
    PERIOD_CLOSED,
    MILESTONE_REACHED,
    SUBSCRIPTION_ENDED,
    RENEWAL_FAILED,
    PAYMENT_DECLINED,
    CAMPAIGN_UPDATED,
]
