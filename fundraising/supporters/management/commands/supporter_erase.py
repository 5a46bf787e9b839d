"""Erase one supporter of one organisation (GDPR article 17); amounts stay so totals do not move."""

from django.core.management.base import BaseCommand, CommandError

from fundraising.supporters.privacy import ErasureRefused, supporter_erase

from .supporter_export import organization_get


class Command(BaseCommand):
    help = "Erase one supporter's names, address, messages and Stripe links; keep the amounts."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="organisation id or exact name")
        parser.add_argument("email")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, organization, email, yes, **options):
        org = organization_get(organization)
        if not yes and input(f"Erase {email} at {org.name}? This cannot be undone. Type yes: ").strip() != "yes":
            self.stdout.write("Nothing erased.")
            return
        try:
            result = supporter_erase(organization=org, email=email)
        except ErasureRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Erased {result['donations']} gift(s), {result['emails_sent']} e-mail record(s), "
            f"{result['stripe_events']} stored Stripe event(s); amounts kept."
        )
