"""Owners add members by e-mail invitation: a signed link that expires, accepted signed in or by signing up."""

import re

import pytest
from django.core import mail

from fundraising.campaigns import invitations
from fundraising.campaigns.models import Invitation, Membership
from tests.factories import UserFactory


@pytest.fixture
def invite(client, alice, organization, settings):
    settings.SITE_URL = "http://testserver"

    def send(email="dora@example.org", role="editor"):
        client.force_login(alice)
        data = {"organization": organization.pk, "email": email, "role": role}
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            assert client.post("/admin/campaigns/invitation/add/", data).status_code == 302
        client.logout()
        return re.search(r"http://testserver(/invitations/[^/\s]+/)", mail.outbox[-1].body).group(1)

    return send


def test_it_mails_a_link_that_a_new_user_accepts_by_signing_up(client, invite, organization):
    path = invite()
    assert mail.outbox[-1].to == ["dora@example.org"]
    assert "Join Alice" in client.get(path).content.decode()
    response = client.post(
        path, {"username": "dora", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="dora")
    assert (membership.organization, membership.role, membership.user.email) == (
        organization,
        "editor",
        "dora@example.org",
    )
    assert membership.user.is_staff and membership.user.groups.filter(name="Editors").exists()
    assert client.get("/admin/campaigns/campaign/").status_code == 200  # signed in as dora


def test_it_lets_a_signed_in_user_accept(client, invite, charlie, organization):
    path = invite(email="Charlie@Example.org", role="viewer")  # the account's address, any case
    client.force_login(charlie)
    assert client.post(path, {"action": "accept"}).status_code == 302
    assert Membership.objects.get(user=charlie, organization=organization).role == "viewer"


def test_it_accepts_a_link_once(client, invite, charlie):
    path = invite(email=charlie.email)
    client.force_login(charlie)
    client.post(path)
    response = client.post(path)
    assert response.status_code == 400 and "already been used" in response.content.decode()


def test_it_refuses_a_forged_link(client, invite, charlie):
    path = invite()
    client.force_login(charlie)
    response = client.post(path[:-3] + "xx/")
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert not Membership.objects.filter(user=charlie).exists()


def test_it_refuses_an_expired_link(client, invite, charlie, time_machine):
    import datetime

    time_machine.move_to(datetime.datetime.now(datetime.UTC), tick=False)
    path = invite()
    time_machine.shift(invitations.MAX_AGE_SECONDS + 60)
    client.force_login(charlie)
    response = client.post(path)
    assert response.status_code == 400 and "expired" in response.content.decode()


def test_it_refuses_a_withdrawn_invitation(client, invite, charlie):
    path = invite()
    Invitation.objects.all().delete()
    client.force_login(charlie)
    assert client.post(path).status_code == 400


def test_it_lets_owners_invite_only_to_their_own_organisations(client, alice, organization):
    from tests.factories import OrganizationFactory

    other = OrganizationFactory(name="Not Alice's")
    client.force_login(alice)
    client.post(
        "/admin/campaigns/invitation/add/", {"organization": other.pk, "email": "x@example.org", "role": "owner"}
    )
    assert not Invitation.objects.filter(organization=other).exists()
    bob = UserFactory(username="bob")
    client.force_login(bob)  # an editor
    response = client.post(
        "/admin/campaigns/invitation/add/", {"organization": organization.pk, "email": "y@example.org"}
    )
    assert response.status_code == 403


def test_it_refuses_a_signed_in_user_of_another_address(client, invite, charlie, organization):
    """A forwarded (or intercepted) link is no key: charlie@ cannot take dora@'s place."""
    path = invite(email="dora@example.org", role="owner")
    client.force_login(charlie)
    page = client.get(path)
    assert page.status_code == 403 and "another e-mail address" in page.content.decode()
    response = client.post(path, {"action": "accept"})
    assert response.status_code == 403 and "another e-mail address" in response.content.decode()
    assert not Membership.objects.filter(user=charlie).exists()
    assert Invitation.objects.get().accepted_at is None  # dora can still accept it


@pytest.mark.parametrize(("held", "invited", "kept"), [("owner", "viewer", "owner"), ("editor", "viewer", "editor"),
                                                       ("viewer", "editor", "editor")])  # fmt: skip
def test_accepting_never_lowers_a_role(client, invite, charlie, organization, held, invited, kept):
    from fundraising.campaigns.services import owner_add

    owner_add(organization=organization, user=charlie, role=held)
    path = invite(email=charlie.email, role=invited)
    client.force_login(charlie)
    assert client.post(path, {"action": "accept"}).status_code == 302
    assert Membership.objects.get(user=charlie, organization=organization).role == kept
    assert charlie.groups.filter(name={"owner": "Owners", "editor": "Editors"}[kept]).exists()


def test_accepting_records_who_and_leaves_other_invitations_open(client, invite, charlie, organization):
    other = invite(email="dora@example.org")
    path = invite(email=charlie.email)
    client.force_login(charlie)
    assert client.post(path, {"action": "accept"}).status_code == 302
    accepted = Invitation.objects.get(email=charlie.email)
    assert accepted.accepted_at is not None and accepted.accepted_by == charlie
    assert Invitation.objects.get(email="dora@example.org").accepted_at is None
    dora = UserFactory(username="dora", email="dora@example.org")
    client.force_login(dora)
    assert client.post(other, {"action": "accept"}).status_code == 302  # still open for its addressee
    assert Membership.objects.get(user=dora, organization=organization).role == "editor"
