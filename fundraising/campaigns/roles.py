"""What each organisation role may do in the admin, and keeping a user's admin access in step with it.

viewer reads; editor also edits campaigns and milestones; owner also manages the organisation, its
members and invitations, outgoing events (integrations) and donation exports. Each role has its own
auth group holding the model permissions it needs (a user is in the group of their highest role); the
admin then checks the role in the organisation of each object (fundraising/campaigns/admin.py)."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from .models import Membership

VIEWER, EDITOR, OWNER = Membership.Role.VIEWER, Membership.Role.EDITOR, Membership.Role.OWNER
RANK = {VIEWER: 1, EDITOR: 2, OWNER: 3}
GROUPS = {VIEWER: "Viewers", EDITOR: "Editors", OWNER: "Owners"}

_VIEWER = {
    ("campaigns", "organization"): ["view"],
    ("campaigns", "membership"): ["view"],
    ("campaigns", "campaign"): ["view"],
    ("campaigns", "milestone"): ["view"],
    ("campaigns", "period"): ["view"],
    ("campaigns", "feerate"): ["view"],  # the card fees a cover is computed from (fees.py)
    ("ledger", "donation"): ["view"],
    # fundraising.supporters, named by label only (campaigns imports nothing above it)
    ("supporters", "notice"): ["view"],
    ("supporters", "monthlygift"): ["view"],
}
_EDITOR = {
    **_VIEWER,
    ("campaigns", "campaign"): ["view", "add", "change"],
    ("campaigns", "milestone"): ["view", "add", "change", "delete"],
}
_OWNER = {
    **_EDITOR,
    ("campaigns", "organization"): ["view", "change"],
    ("campaigns", "feerate"): ["view", "add", "change", "delete"],  # an organisation setting, on its page
    ("campaigns", "membership"): ["view", "change", "delete"],  # members join by invitation only
    ("campaigns", "invitation"): ["view", "add", "delete"],
    # supporters' statements for a year, and one supporter's export and erasure: owners only
    ("supporters", "statementrun"): ["view", "add"],
    ("supporters", "supportertools"): ["view"],
    # Outgoing events (milestone webhooks among them) go to owners' URLs, signed with owners' secrets.
    ("integrations", "endpoint"): ["view", "add", "change", "delete"],
    ("integrations", "delivery"): ["view"],
}
PERMISSIONS = {VIEWER: _VIEWER, EDITOR: _EDITOR, OWNER: _OWNER}

# The role each kind of admin action needs in the organisation of the rows it touches: the one place that
# says it. The admin's querysets, choices, views and actions ask the selectors for rows with this role
# (fundraising/campaigns/selectors.py), so a member with several roles gets each organisation's own;
# tests/campaigns/test_roles_table.py walks every admin URL and action against it.
NEEDS = {
    "read": VIEWER,  # lists, read-only pages, dashboards, the Embed page
    "campaign_edit": EDITOR,  # campaigns and their milestones
    "gift_record": EDITOR,  # offline gifts and their reversal
    "message_hide": EDITOR,  # a message on the supporters wall
    "email_send": EDITOR,  # "Send again" on an e-mail, "E-mail the supporter a manage link"
    "members_manage": OWNER,  # the organisation, its members, invitations
    "integrations": OWNER,  # endpoints (donor e-mails leave, secrets), their delivery payloads
    "donations_export": OWNER,  # the CSV with donors' addresses
    "supporter_tools": OWNER,  # one supporter's export, erasure and manage link
    "statements_send": OWNER,  # every supporter's yearly statement
}


def role_group_ensure(role):
    group, _ = Group.objects.get_or_create(name=GROUPS[role])
    wanted = Q(pk__in=[])
    for (app_label, model), actions in PERMISSIONS[role].items():
        wanted |= Q(content_type__app_label=app_label, codename__in=[f"{a}_{model}" for a in actions])
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def role_groups_refresh(**kwargs):
    """After migrations: the roles' groups that exist get the permissions PERMISSIONS now lists (a model added
    since, such as FeeRate, is usable at once by members already in a group)."""
    for role, name in GROUPS.items():
        if Group.objects.filter(name=name).exists():
            role_group_ensure(role)


def role_of(*, user, organization_id):
    """The user's role in the organisation, or "" (superusers count as owners everywhere)."""
    if user.is_superuser:
        return OWNER
    role = Membership.objects.filter(user=user, organization_id=organization_id).values_list("role", flat=True)
    return role.first() or ""


def role_at_least(*, user, organization_id, role):
    return RANK.get(role_of(user=user, organization_id=organization_id), 0) >= RANK[role]


def organizations_with_role(*, user, role):
    """Ids of the organisations where the user has `role` or a higher one (nothing for an inactive user)."""
    from .models import Organization

    if not user.is_active:
        return Organization.objects.none().values("pk")
    if user.is_superuser:
        return Organization.objects.values("pk")
    roles = [r for r, rank in RANK.items() if rank >= RANK[role]]
    return Membership.objects.filter(user=user, role__in=roles).values("organization_id")


def member_access_sync(*, user):
    """Admin access follows memberships: staff, in the group of the highest role (or none left)."""
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    highest = max(roles, key=RANK.get) if roles else None
    user.groups.remove(*Group.objects.filter(name__in=GROUPS.values()))
    if highest:
        user.groups.add(role_group_ensure(highest))
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
