"""roles.py on its own: each role's group holds exactly the permissions its table lists, a member is in the group
of their highest role across organisations (and no other role group), the role in one organisation is that
organisation's, and an inactive member has none."""

from django.contrib.auth.models import Group

from fundraising.campaigns import roles
from fundraising.campaigns.models import Membership, Organization
from fundraising.campaigns.services import owner_add
from tests.factories import OrganizationFactory, UserFactory


def role_groups(user):
    return set(user.groups.filter(name__in=roles.GROUPS.values()).values_list("name", flat=True))


def test_refreshing_the_groups_gives_existing_ones_their_table(db):
    Group.objects.create(name="Editors")  # as created by an older release, before a model was added
    roles.role_groups_refresh()
    editors = Group.objects.get(name="Editors")
    got = set(editors.permissions.values_list("content_type__app_label", "codename"))
    wanted = {(app, f"{action}_{model}") for (app, model), actions in roles._EDITOR.items() for action in actions}
    assert got == wanted and ("campaigns", "change_campaign") in got
    assert not Group.objects.filter(name__in=["Viewers", "Owners"]).exists()  # only groups that exist


def test_a_member_is_in_the_group_of_their_highest_role_only(db):
    victor = UserFactory(username="victor")
    a, b = OrganizationFactory(name="A"), OrganizationFactory(name="B")
    owner_add(organization=a, user=victor, role="editor")
    owner_add(organization=b, user=victor, role="viewer")
    assert role_groups(victor) == {"Editors"} and victor.is_staff  # not "viewer", which sorts after "editor"
    owner_add(organization=b, user=victor, role="owner")
    assert role_groups(victor) == {"Owners"}
    owner_add(organization=b, user=victor, role="viewer")  # demoted: the owners' group goes
    assert role_groups(victor) == {"Editors"}


def test_leaving_the_last_organisation_leaves_no_role_group(db):
    victor = UserFactory(username="victor")
    other = Group.objects.create(name="Auditors")  # not a role group: kept
    victor.groups.add(other)
    owner_add(organization=OrganizationFactory(), user=victor, role="owner")
    Membership.objects.filter(user=victor).delete()
    roles.member_access_sync(user=victor)
    assert role_groups(victor) == set() and victor.groups.get() == other


def test_a_role_counts_in_its_own_organisation(db, organization, alice, bob, charlie):
    owner_add(organization=OrganizationFactory(name="Charlie's club"), user=charlie)
    assert roles.role_of(user=charlie, organization_id=organization.pk) == ""
    assert not roles.role_at_least(user=charlie, organization_id=organization.pk, role=roles.VIEWER)
    assert roles.role_at_least(user=bob, organization_id=organization.pk, role=roles.EDITOR)
    assert not roles.role_at_least(user=bob, organization_id=organization.pk, role=roles.OWNER)
    assert roles.role_at_least(user=alice, organization_id=organization.pk, role=roles.OWNER)
    root = UserFactory(username="root", is_superuser=True)
    assert roles.role_at_least(user=root, organization_id=organization.pk, role=roles.OWNER)


def test_an_inactive_member_has_no_organisation(db, organization, alice, bob):
    def organizations(user, role):
        return set(Organization.objects.filter(pk__in=roles.organizations_with_role(user=user, role=role)))

    theirs = OrganizationFactory(name="Theirs")
    assert organizations(alice, roles.OWNER) == {organization}
    assert organizations(bob, roles.VIEWER) == {organization} and organizations(bob, roles.OWNER) == set()
    root = UserFactory(username="root", is_superuser=True)
    assert organizations(root, roles.OWNER) == {organization, theirs}
    alice.is_active = False
    assert organizations(alice, roles.VIEWER) == set()
    root.is_active = False
    assert organizations(root, roles.VIEWER) == set()
