"""On PostgreSQL, one invitation accepted twice at the same moment is claimed once: the second is told it was
used. Both accepts read the invitation as open; the claim's `accepted_at IS NULL` decides."""

import threading
import time

import pytest
from django.db import connection

from fundraising.campaigns import invitations
from fundraising.campaigns.models import Invitation
from tests.locks import held_elsewhere, lock_waiters

pytestmark = pytest.mark.postgres


def test_an_invitation_accepted_twice_at_once_is_claimed_once(postgres, transactional_db, organization, charlie):
    invitation = Invitation.objects.create(organization=organization, email=charlie.email, role="editor")
    token = invitations.invitation_token(invitation)
    outcomes = []

    def accept():
        try:
            invitations.invitation_accept(token=token, user=charlie)
            outcomes.append("joined")
        except invitations.InvitationInvalid as refused:
            outcomes.append(str(refused))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    # Both accepts read the invitation as open, then queue behind this lock at their claim.
    with held_elsewhere(lambda: list(Invitation.objects.select_for_update().filter(pk=invitation.pk))):
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while lock_waiters() < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lock_waiters() == 2
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["This invitation was withdrawn or has already been used.", "joined"]
    assert organization.memberships.get(user=charlie).role == "editor"
