"""Journal entries in, outgoing events out (registered in IntegrationsConfig.ready). Each delivery is keyed on
what happened, so an entry dispatched again (the journal's sweep) sends nothing twice."""

from django.utils.dateparse import parse_datetime

from fundraising.journal import kinds
from fundraising.ledger.models import Donation

from . import events


def donations_succeeded(entries):
    """donation.counted is written once, when a row first counts (ledger.services.donation_journal): from pending,
    or from a session closed unpaid (failed, expired) and paid after all, which counts and gets its receipt too."""
    succeeded = [entry.donation_id for entry in entries if entry.data.get("after") == Donation.Status.SUCCEEDED]
    events.donations_event(donation_ids=succeeded, event_type="donation.succeeded")


def donations_refunded(entries):
    """Each new refunded total of a gift is one donation.refunded: a second partial refund is news for the
    owner's books too."""
    for entry in entries:
        key = f"donation.refunded:{entry.donation_id}:{entry.data['amount_refunded']}"
        events.donation_event(donation_id=entry.donation_id, event_type="donation.refunded", key=key)


def subscriptions_ended(entries):
    for entry in entries:
        events.subscription_event(
            campaign_ids=[entry.campaign_id],
            subscription_id=entry.data["subscription_id"],
            ended_at=parse_datetime(entry.data["ended_at"]) if entry.data.get("ended_at") else None,
        )


def milestones_reached(entries):
    for entry in entries:
        events.milestone_event(crossing_id=entry.data["crossing_id"])


def periods_closed(entries):
    events.periods_event(period_ids=[entry.period_id for entry in entries])


REGISTRY = [
    (kinds.DONATION_COUNTED, donations_succeeded),
    (kinds.DONATION_REFUNDED, donations_refunded),
    (kinds.SUBSCRIPTION_ENDED, subscriptions_ended),
    (kinds.MILESTONE_REACHED, milestones_reached),
    (kinds.PERIOD_CLOSED, periods_closed),
]
