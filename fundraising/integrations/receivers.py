"""Receivers of fundraising.ledger.signals (connected in IntegrationsConfig.ready): announcements in,
outgoing events out. Each runs after the announcing transaction committed."""

from fundraising.ledger.models import Donation

from . import events


def donation_status_changed(sender, *, donation_id, before, after, **kwargs):
    if after == Donation.Status.SUCCEEDED and before in (Donation.Status.PENDING, "", None):
        events.donation_event(donation_id=donation_id, event_type="donation.succeeded")


def donation_refunded(sender, *, donation_id, amount_refunded, **kwargs):
    """Each new refunded total of a gift is one donation.refunded (keyed by the total, so the same refund
    told again sends nothing): a second partial refund is news for the owner's books too."""
    events.donation_event(donation_id=donation_id, event_type="donation.refunded")


def subscription_ended(sender, *, campaign_ids, subscription_id, ended_at, **kwargs):
    events.subscription_event(campaign_ids=campaign_ids, subscription_id=subscription_id, ended_at=ended_at)


def milestone_reached(sender, *, crossing_id, **kwargs):
    events.milestone_event(crossing_id=crossing_id)


def periods_closed(sender, *, period_ids, **kwargs):
    events.periods_event(period_ids=period_ids)
