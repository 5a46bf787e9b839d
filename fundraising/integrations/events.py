"""Outgoing events: what each one says, and publishing one to the endpoints that subscribed to it.

A document looks like {"id", "type", "created", "campaign", "data"}; donation events carry the supporter's
e-mail only for endpoints whose owner opted in."""

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from fundraising.campaigns.models import Campaign, MilestoneCrossing, Period
from fundraising.ledger.models import Donation

from . import tasks
from .models import Delivery, Endpoint


def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def period_data(period):
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "label": period.label,
        "goal": {"kind": period.goal_kind, "current": period.goal_current, "target": period.target},
        "raised": period.raised,
        "donors": period.donors,
        "recurring": period.recurring,
    }


def donation_data(donation):
    """A donation as events describe it; `donor_email` is removed for endpoints that did not opt in."""
    return {
        "id": str(donation.pk),
        "amount": donation.amount,
        "fee_cover": donation.fee_cover,  # the part of amount that covered card fees (docs/owners.md)
        "amount_refunded": donation.amount_refunded,
        "currency": donation.currency,
        "formatted": donation.campaign.format(donation.amount),
        "kind": donation.kind,
        "status": donation.status,
        "source": donation.source,
        "method": donation.method,
        "public_name": "" if donation.anonymous else donation.public_name,
        "anonymous": donation.anonymous,
        "donor_email": donation.donor_email,
        "paid_at": stamp(donation.paid_at),
        "period": donation.period.start.isoformat() if donation.period_id else None,
        "reverses": str(donation.reverses_id) if donation.reverses_id else None,
    }


def crossing_data(crossing):
    period = crossing.period
    return {
        "amount": crossing.amount,
        "label": crossing.label,
        "formatted": period.format_goal(crossing.amount),
        "is_target": crossing.amount == period.target,
        "crossed_at": stamp(crossing.crossed_at),
        "period": period_data(period),
    }


def for_endpoint(endpoint, data):
    if endpoint.include_donor_email or "donor_email" not in data:
        return data
    return {key: value for key, value in data.items() if key != "donor_email"}


def event_publish(*, campaign, event_type, key, data, endpoints=None):
    """One Delivery per subscribed active endpoint (once per event key), each sent by its own task after
    commit (without a broker, by beat's sweep: never inside the request that made the event). Returns the new
    deliveries' ids."""
    if endpoints is None:
        endpoints = [e for e in Endpoint.objects.filter(campaign=campaign, active=True) if event_type in e.events]
    created = []
    for endpoint in endpoints:
        document = {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": event_type,
            "created": stamp(timezone.now()),
            "campaign": campaign.slug,
            "data": for_endpoint(endpoint, data),
        }
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    endpoint=endpoint,
                    event_id=document["id"],
                    event_type=event_type,
                    event_key=key,
                    payload=document,
                )
        except IntegrityError:  # the same event again (a re-sent signal): already delivered or on its way
            continue
        tasks.delivery_queue(delivery.pk)
        created.append(delivery.pk)
    return created


def donation_event(*, donation_id, event_type, key=None):
    donation = Donation.objects.select_related("campaign", "period").filter(pk=donation_id).first()
    if donation is None:
        return []
    key = key or f"{event_type}:{donation.pk}:{donation.amount_refunded}"
    return event_publish(campaign=donation.campaign, event_type=event_type, key=key, data=donation_data(donation))


def donations_event(*, donation_ids, event_type):
    """donation_event for many gifts (a drain's batch): one query when none of their campaigns has an active
    endpoint taking `event_type` (the usual case), then each gift as donation_event does."""
    listening = {}
    campaigns = Donation.objects.filter(pk__in=donation_ids).values("campaign_id")
    for endpoint in Endpoint.objects.filter(campaign_id__in=campaigns, active=True).order_by("pk"):
        if event_type in endpoint.events:
            listening.setdefault(endpoint.campaign_id, []).append(endpoint)
    if not listening:
        return []
    donations = Donation.objects.select_related("campaign", "period").filter(
        pk__in=donation_ids, campaign_id__in=listening
    )
    by_id = {donation.pk: donation for donation in donations}
    created = []
    for donation_id in donation_ids:
        donation = by_id.get(donation_id)
        if donation is None:
            continue
        key = f"{event_type}:{donation.pk}:{donation.amount_refunded}"
        created += event_publish(campaign=donation.campaign, event_type=event_type, key=key,
                                 data=donation_data(donation), endpoints=listening[donation.campaign_id])  # fmt: skip
    return created


def subscription_event(*, campaign_ids, subscription_id, ended_at):
    created = []
    for campaign in Campaign.objects.filter(pk__in=campaign_ids):
        data = {"subscription": subscription_id, "ended_at": stamp(ended_at)}
        key = f"subscription.cancelled:{subscription_id}"
        created += event_publish(campaign=campaign, event_type="subscription.cancelled", key=key, data=data)
    return created


def milestone_event(*, crossing_id):
    crossing = MilestoneCrossing.objects.select_related("period__campaign").filter(pk=crossing_id).first()
    if crossing is None:
        return []
    campaign = crossing.period.campaign
    key = f"milestone.reached:{crossing.pk}"
    return event_publish(campaign=campaign, event_type="milestone.reached", key=key, data=crossing_data(crossing))


def periods_event(*, period_ids):
    """period.closed for each closed month, to the endpoints that subscribed: one query when no campaign of
    the lot has an endpoint (a month-end closes thousands), two otherwise, then a delivery per endpoint."""
    subscribed = {}
    closing = Period.objects.filter(pk__in=period_ids).values("campaign_id")
    for endpoint in Endpoint.objects.filter(campaign_id__in=closing, active=True).order_by("pk"):
        if "period.closed" in endpoint.events:
            subscribed.setdefault(endpoint.campaign_id, []).append(endpoint)
    if not subscribed:
        return []
    periods = Period.objects.select_related("campaign").filter(pk__in=period_ids, campaign_id__in=subscribed)
    created = []
    for period in periods.order_by("pk"):
        key = f"period.closed:{period.pk}"
        created += event_publish(
            campaign=period.campaign,
            event_type="period.closed",
            key=key,
            data=period_data(period),
            endpoints=subscribed[period.campaign_id],
        )
    return created


def endpoint_test_send(*, endpoint):
    """The admin's "send test event": a made-up donation.succeeded to this endpoint only, marked test."""
    data = {
        "id": "test",
        "test": True,
        "amount": 2500,
        "currency": endpoint.campaign.currency,
        "formatted": endpoint.campaign.format(2500),
        "kind": "one_time",
        "status": "succeeded",
        "public_name": "Test supporter",
        "donor_email": "supporter@example.org",
    }
    key = f"test:{uuid.uuid4().hex}"
    return event_publish(
        campaign=endpoint.campaign, event_type="donation.succeeded", key=key, data=data, endpoints=[endpoint]
    )
