"""What an invitation says: its e-mail (subject, role, days, link), the refusal a signed-in account of another
address reads, and the warning logged when the e-mail cannot leave."""

import logging
import socket

import pytest
from django.core import mail

from fundraising.campaigns import invitations
from fundraising.campaigns.models import Invitation
from tests.factories import UserFactory

NOT_YOURS = (
    "This invitation was sent to another e-mail address than your account's ({}). Sign out and open the link "
    "again to join with the invited address, or ask the owner to invite your account's address."
)


@pytest.fixture
def invitation(organization, settings):
    settings.SITE_URL = "https://give.example"
    return Invitation.objects.create(organization=organization, email="dora@example.org", role="editor")


def test_it_mails_the_role_the_days_and_the_link(invitation):
    assert invitations.invitation_send(invitation=invitation) is None
    (message,) = mail.outbox
    assert message.subject == "Invitation to Alice's club"
    assert message.to == ["dora@example.org"]
    assert message.body == (
        "You are invited to help run Alice's club's fundraising as editor.\n\n"
        f"Open this link within 7 days to accept:\n{invitations.invitation_url(invitation)}\n"
    )
    assert invitations.invitation_url(invitation).startswith("https://give.example/invitations/")


@pytest.mark.parametrize(("email", "shown"), [("charlie@example.org", "charlie@example.org"), ("", "none")])
def test_it_tells_another_account_which_address_it_has(invitation, email, shown):
    with pytest.raises(invitations.InvitationNotYours) as refused:
        invitations.invitation_for_user(invitation=invitation, user=UserFactory(username="charlie", email=email))
    assert str(refused.value) == NOT_YOURS.format(shown)


def test_it_logs_which_invitation_was_not_mailed(invitation, settings, caplog):
    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    with caplog.at_level(logging.WARNING, logger="fundraising.campaigns.invitations"):
        error = invitations.invitation_send(invitation=invitation)
    assert error and "ConnectionRefusedError" in error
    assert [r.getMessage() for r in caplog.records] == [f"invitation {invitation.pk} not mailed: {error}"]


def test_it_says_why_a_link_does_not_work(invitation, time_machine):
    import datetime

    def refusal(token):
        with pytest.raises(invitations.InvitationInvalid) as refused:
            invitations.invitation_from_token(token)
        return str(refused.value)

    time_machine.move_to(datetime.datetime.now(datetime.UTC), tick=False)
    token = invitations.invitation_token(invitation)
    assert invitations.invitation_from_token(token) == invitation
    assert refusal(token[:-2] + "xx") == "This invitation link is not valid."
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=datetime.datetime.now(datetime.UTC))
    assert refusal(token) == "This invitation was withdrawn or has already been used."
    time_machine.shift(invitations.MAX_AGE_SECONDS + 1)
    assert refusal(token) == "This invitation has expired. Ask the owner for a new one."
