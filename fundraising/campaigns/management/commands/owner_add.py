"""python manage.py owner_add <organisation> <username> [--role owner|editor|viewer]: give a user a role in an
organisation from the shell, e.g. to restore access when no owner is left."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fundraising.campaigns.models import Membership, Organization
from fundraising.campaigns.services import owner_add


class Command(BaseCommand):
    help = (
        "Give an existing user a role (owner by default) in an organisation, named by its exact name or its id. "
        "The way back in when an organisation has no owner left who can sign in."
    )

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="The organisation's exact name, or its id.")
        parser.add_argument("username", help="An existing user's username.")
        roles = [value for value, _ in Membership.Role.choices]
        parser.add_argument("--role", default=Membership.Role.OWNER, choices=roles, help="Default: owner.")

    def handle(self, *args, organisation, username, role, **options):
        found = Organization.objects.filter(name=organisation)
        if organisation.isdigit():
            found = found | Organization.objects.filter(pk=int(organisation))
        organizations = list(found.distinct()[:2])
        if not organizations:
            raise CommandError(f"No organisation named {organisation!r} (or with that id).")
        if len(organizations) > 1:
            raise CommandError(f"{organisation!r} names more than one organisation: give its id instead.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}: create one with `manage.py createsuperuser` or invite them.")
        owner_add(organization=organizations[0], user=user, role=role)
        self.stdout.write(f"{username} is now {role} of {organizations[0].name}.")
