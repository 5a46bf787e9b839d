"""Signed, expiring manage links (no account, no password) and the rate limits on asking for one."""

import hashlib

from django.conf import settings
from django.core import signing

from fundraising.core.ratelimit import rate_take

SALT = "fundraising.supporters.manage"


class LinkInvalid(Exception):
    """Tampered, for another organisation, or not a link at all."""


class LinkExpired(LinkInvalid):
    """Signed by us, but older than MANAGE_LINK_MAX_AGE."""


def email_normalise(email):
    return (email or "").strip().lower()


def manage_token(*, organization_id, email):
    """A URL-safe token naming the organisation and the address, signed with SECRET_KEY and timestamped."""
    return signing.dumps({"o": organization_id, "e": email_normalise(email)}, salt=SALT, compress=True)


def manage_token_read(token, *, organization_id):
    """The address a token was made for; raises LinkExpired or LinkInvalid."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.MANAGE_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkExpired(str(exc)) from None
    except signing.BadSignature as exc:
        raise LinkInvalid(str(exc)) from None
    if not isinstance(data, dict) or data.get("o") != organization_id or not isinstance(data.get("e"), str):
        raise LinkInvalid("not a manage link for this organisation")
    return data["e"]


def manage_url(*, campaign, email):
    token = manage_token(organization_id=campaign.organization_id, email=email)
    return f"{settings.SITE_URL}/c/{campaign.slug}/manage/{token}/"


def link_request_allowed_for_ip(*, client_ip):
    return rate_take(key=f"manage-link-ip:{client_ip}", limit=settings.MANAGE_LINK_RATE_LIMIT_IP)


def link_request_allowed_for_address(*, organization_id, email):
    return rate_take(
        key=f"manage-link-to:{organization_id}:{hashlib.sha256(email_normalise(email).encode()).hexdigest()}",
        limit=settings.MANAGE_LINK_RATE_LIMIT_ADDRESS,
    )
