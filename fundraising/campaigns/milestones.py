"""Milestone crossings: recorded once per period when the total first reaches them, then notified."""

import hashlib
import hmac
import json
import logging
import secrets
import time

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from fundraising.core import outgoing

from .models import Campaign, Membership, MilestoneCrossing

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Fundraising-Signature"


class WebhookRejected(Exception):
    """The publisher's endpoint answered with something other than 2xx."""


def milestone_thresholds(*, period):
    """What can be crossed in a period: its frozen milestones and its target, smallest first."""
    thresholds = {m["amount"]: m.get("label", "") for m in period.milestones if m["amount"] > 0}
    thresholds.setdefault(period.target, "Target")
    return sorted(thresholds.items())


def crossings_record(*, period):
    """Record each threshold the period's total has reached for the first time; return the new crossings' ids.

    The unique (period, amount) constraint decides which of several concurrent refreshes records
    a crossing, so it is notified once. With milestones_refire, a drop below forgets the crossing
    so reaching it again notifies again."""
    if period.campaign.milestones_refire:
        MilestoneCrossing.objects.filter(period=period, amount__gt=period.goal_current).delete()
    created_ids = []
    for amount, label in milestone_thresholds(period=period):
        if period.goal_current < amount:
            break
        crossing, created = MilestoneCrossing.objects.get_or_create(
            period=period, amount=amount, defaults={"label": label}
        )
        if created:
            created_ids.append(crossing.pk)
    return created_ids


def crossing_describe(crossing):
    """The document the webhook posts and the e-mail summarises."""
    period = crossing.period
    campaign = period.campaign
    return {
        "id": f"crossing_{crossing.pk}",
        "type": "milestone.reached",
        "campaign": campaign.slug,
        "title": campaign.title,
        "currency": campaign.currency,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label},
        "milestone": {
            "amount": crossing.amount,
            "label": crossing.label,
            "formatted": period.format_goal(crossing.amount),
        },
        "is_target": crossing.amount == period.target,
        "raised": period.raised,
        "target": period.target,
        "goal": {"kind": period.goal_kind, "current": period.goal_current, "target": period.target},
        "crossed_at": crossing.crossed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def crossing_email(*, crossing_id):
    """E-mail the organisation's owners once; a retry after a crash may send again, never zero times."""
    with transaction.atomic():
        crossing = (
            MilestoneCrossing.objects.select_for_update(of=("self",))
            .select_related("period__campaign__organization")
            .filter(pk=crossing_id, notified_at__isnull=True)
            .first()
        )
        if crossing is None:  # already notified, or forgotten after a refund
            return False
        campaign = crossing.period.campaign
        recipients = list(
            Membership.objects.filter(organization=campaign.organization, role=Membership.Role.OWNER)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        if campaign.organization.notify_email and recipients:
            doc = crossing_describe(crossing)
            name = crossing.label or doc["milestone"]["formatted"]
            subject = f"{campaign.title}: {name} reached for {doc['period']['label']}"
            period = crossing.period
            body = (
                f"{campaign.title} stands at {period.format_goal(period.goal_current)} of "
                f"{period.format_goal(period.target)} ({period.get_goal_kind_display().lower()}) for "
                f"{doc['period']['label']}, reaching {doc['milestone']['formatted']} ({name}).\n\n"
                f"{settings.SITE_URL}/c/{campaign.slug}/\n"
            )
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        MilestoneCrossing.objects.filter(pk=crossing.pk).update(notified_at=timezone.now())
    return True


def campaign_webhook_secret_ensure(*, campaign_id):
    """A webhook is always signed: give the campaign a secret on first use (owners see it in the admin)."""
    Campaign.objects.filter(pk=campaign_id, milestone_webhook_secret="").update(
        milestone_webhook_secret=f"mwsec_{secrets.token_urlsafe(24)}"
    )
    return Campaign.objects.values_list("milestone_webhook_secret", flat=True).get(pk=campaign_id)


def webhook_signature(*, secret, timestamp, body):
    """Like Stripe's scheme: HMAC-SHA256 of "<timestamp>.<body>", sent as "t=<timestamp>,v1=<hex>"."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def crossing_webhook_post(*, crossing_id):
    """POST the signed crossing to the campaign's webhook URL; raises so the task retries."""
    crossing = MilestoneCrossing.objects.select_related("period__campaign").filter(pk=crossing_id).first()
    if crossing is None or not crossing.period.campaign.milestone_webhook_url:
        return None
    campaign = crossing.period.campaign
    secret = campaign_webhook_secret_ensure(campaign_id=campaign.pk)
    body = json.dumps(crossing_describe(crossing), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "fundraising-milestones/1",
        SIGNATURE_HEADER: webhook_signature(secret=secret, timestamp=int(time.time()), body=body),
    }
    try:  # every try (the task retries) resolves and checks again, and connects where it checked
        response = outgoing.post(campaign.milestone_webhook_url, body=body, headers=headers)
    except outgoing.OutgoingRefused as exc:
        logger.warning("milestone webhook of %s not sent: %s", campaign.slug, exc)
        return None
    if not 200 <= response.status < 300:
        raise WebhookRejected(f"{campaign.milestone_webhook_url} answered {response.status}")
    return response.status
