"""Members join by invitation: an owner names an e-mail address and a role, the app mails a signed link
that expires, and its addressee joins, signed in with an account of that address or signing up there (the
new account gets the invited address). Nobody picks from all users; a forwarded link is no key for anyone
else, and accepting never lowers a role the member already holds."""

import logging
import smtplib

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from fundraising.core.mail import mail_error_describe

from .models import Invitation, Membership
from .roles import RANK, member_access_sync

SALT = "fundraising.invitation"
MAX_AGE_SECONDS = 7 * 24 * 3600

log = logging.getLogger(__name__)


class InvitationInvalid(Exception):
    """The link is forged, expired, revoked or already used; the message is for the visitor."""


class InvitationNotYours(InvitationInvalid):
    """The signed-in account's address is not the invited one."""


def invitation_for_user(*, invitation, user):
    """Raises InvitationNotYours unless the account's address is the one the invitation was mailed to."""
    if (user.email or "").strip().lower() != invitation.email.strip().lower():
        raise InvitationNotYours(
            f"This invitation was sent to another e-mail address than your account's ({user.email or 'none'}). "
            "Sign out and open the link again to join with the invited address, or ask the owner to invite "
            "your account's address."
        )


def invitation_token(invitation):
    return signing.dumps({"invitation": invitation.pk}, salt=SALT, compress=True)


def invitation_url(invitation):
    return f"{settings.SITE_URL}/invitations/{invitation_token(invitation)}/"


def invitation_send(*, invitation):
    """Mail the link; None when the mail server took it, else what went wrong (naming no address)."""
    org = invitation.organization
    body = (
        f"You are invited to help run {org.name}'s fundraising as {invitation.get_role_display().lower()}.\n\n"
        f"Open this link within {MAX_AGE_SECONDS // 86400} days to accept:\n{invitation_url(invitation)}\n"
    )
    try:
        send_mail(f"Invitation to {org.name}", body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except (smtplib.SMTPException, OSError) as exc:  # the row stays; the owner copies the link instead
        error = mail_error_describe(exc)
        log.warning("invitation %s not mailed: %s", invitation.pk, error)
        return error
    return None


def invitation_from_token(token):
    """The open invitation a link stands for; raises InvitationInvalid."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        raise InvitationInvalid("This invitation has expired. Ask the owner for a new one.") from None
    except signing.BadSignature:
        raise InvitationInvalid("This invitation link is not valid.") from None
    invitation = Invitation.objects.select_related("organization").filter(pk=data.get("invitation")).first()
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalid("This invitation was withdrawn or has already been used.")
    return invitation


def invitation_accept(*, token, user):
    """Join the invited organisation with the invited role, if the user is the invited address; a member
    already holding that role or a higher one keeps theirs."""
    with transaction.atomic():
        invitation = invitation_from_token(token)
        invitation_for_user(invitation=invitation, user=user)
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now(), accepted_by=user
        )
        if not claimed:
            raise InvitationInvalid("This invitation was withdrawn or has already been used.")
        membership, created = Membership.objects.select_for_update().get_or_create(
            organization=invitation.organization, user=user, defaults={"role": invitation.role}
        )
        if not created and RANK[invitation.role] > RANK[membership.role]:
            Membership.objects.filter(pk=membership.pk).update(role=invitation.role)
        member_access_sync(user=user)
    return invitation
