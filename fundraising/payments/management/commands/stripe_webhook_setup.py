"""python manage.py stripe_webhook_setup: create or update the Stripe webhook endpoint for SITE_URL."""

from django.core.management.base import BaseCommand, CommandError

from fundraising.payments import stripe_api
from fundraising.payments.endpoint import endpoint_setup, endpoint_url


class Command(BaseCommand):
    help = "Create or update the Stripe webhook endpoint for SITE_URL with exactly the events the app handles."

    def handle(self, *args, **options):
        try:
            setup = endpoint_setup()
        except (stripe_api.StripeNotConfigured, stripe_api.StripeUnavailable) as exc:
            raise CommandError(str(exc)) from None
        endpoint = setup.endpoint
        self.stdout.write(f"{'Created' if setup.created else 'Updated'} {endpoint['id']} for {endpoint_url()}")
        self.stdout.write(f"events: {', '.join(endpoint.get('enabled_events') or [])}")
        if setup.added and not setup.created:
            self.stdout.write(f"added: {', '.join(setup.added)}")
        if setup.removed:
            self.stdout.write(f"removed: {', '.join(setup.removed)}")
        if setup.created:
            self.stdout.write(f"Signing secret (set STRIPE_WEBHOOK_SECRET to it): {endpoint.get('secret')}")
        else:
            self.stdout.write("The signing secret is unchanged (Stripe shows it only when it creates one).")
