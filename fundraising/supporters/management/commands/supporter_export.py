"""Print everything stored about one supporter of one organisation as JSON (GDPR article 15)."""

import json

from django.core.management.base import BaseCommand, CommandError

from fundraising.campaigns.models import Organization
from fundraising.supporters.privacy import supporter_export


def organization_get(value):
    found = Organization.objects.filter(pk=int(value)).first() if value.isdigit() else None
    found = found or Organization.objects.filter(name=value).first()
    if found is None:
        raise CommandError(f"no organisation with id or name {value!r}")
    return found


class Command(BaseCommand):
    help = "Export one supporter's data (JSON on stdout)."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="organisation id or exact name")
        parser.add_argument("email")

    def handle(self, *args, organization, email, **options):
        data = supporter_export(organization=organization_get(organization), email=email)
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
