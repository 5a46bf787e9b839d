"""Milestone crossings: recorded once per period when the total first reaches them, then notified."""

import dataclasses
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
import urllib.parse

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Campaign, Membership, MilestoneCrossing

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Fundraising-Signature"
WEBHOOK_TIMEOUT_SECONDS = 10


class WebhookRejected(Exception):
    """The publisher's endpoint answered with something other than 2xx."""


class WebhookRefused(ValueError):
    """The URL points inside our own network; posting there is never retried."""


@dataclasses.dataclass(frozen=True)
class WebhookTarget:
    """Where a webhook goes: the URL's parts and the one address that was checked, to connect to."""

    scheme: str
    hostname: str
    port: int
    address: str
    path: str


def webhook_url_check(url):
    """Resolve the owner's URL once and check the address: the worker must not become a way into
    localhost, the LAN or cloud metadata. The POST connects to the returned address, so a DNS answer
    that changes between the check and the connection (rebinding) cannot move it elsewhere."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise WebhookRefused(f"{url!r} is not an http(s) URL")
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError as exc:
        raise WebhookRefused(f"{url!r} has a bad port") from exc
    try:
        infos = socket.getaddrinfo(parsed.hostname, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {parsed.hostname}: {exc}") from exc  # retried: DNS may come back
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    for address in addresses:
        if not address.is_global and not settings.OUTGOING_ALLOW_PRIVATE:
            raise WebhookRefused(f"{parsed.hostname} resolves to the non-public address {address}")
    path = urllib.parse.urlunsplit(("", "", parsed.path or "/", parsed.query, ""))
    return WebhookTarget(parsed.scheme, parsed.hostname, port, str(addresses[0]), path)


def address_connect(address, port, timeout):
    """A TCP connection to this literal address: no name lookup happens here, not even of the literal."""
    family = socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Talks to `address` while naming `host` in the Host header."""

    def __init__(self, target, timeout):
        super().__init__(target.hostname, target.port, timeout=timeout)
        self.address = target.address

    def connect(self):
        self.sock = address_connect(self.address, self.port, self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Like PinnedHTTPConnection, with SNI and certificate checks against the URL's host name."""

    def __init__(self, target, timeout):
        super().__init__(target.hostname, target.port, timeout=timeout, context=ssl.create_default_context())
        self.address = target.address

    def connect(self):
        sock = address_connect(self.address, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def webhook_send(*, target, body, headers):
    """POST once to the checked address; the status code, with no redirect followed (a 3xx is an answer)."""
    connection_class = PinnedHTTPSConnection if target.scheme == "https" else PinnedHTTPConnection
    connection = connection_class(target, timeout=WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def webhook_deliver(*, url, body, headers):
    """Check the owner's URL, then POST `body` once to the checked address; the answer's status code.

    The one way this app posts to owners' URLs, shared with fundraising.integrations' events.
    Raises WebhookRefused for an internal address (never retried), OSError when unreachable (retried)."""
    return webhook_send(target=webhook_url_check(url), body=body, headers=headers)


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
    try:  # every try (the task retries) resolves and checks again, and connects where it checked
        target = webhook_url_check(campaign.milestone_webhook_url)
    except WebhookRefused as exc:
        logger.warning("milestone webhook of %s not sent: %s", campaign.slug, exc)
        return None
    secret = campaign_webhook_secret_ensure(campaign_id=campaign.pk)
    body = json.dumps(crossing_describe(crossing), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "fundraising-milestones/1",
        SIGNATURE_HEADER: webhook_signature(secret=secret, timestamp=int(time.time()), body=body),
    }
    status = webhook_send(target=target, body=body, headers=headers)
    if not 200 <= status < 300:
        raise WebhookRejected(f"{campaign.milestone_webhook_url} answered {status}")
    return status
