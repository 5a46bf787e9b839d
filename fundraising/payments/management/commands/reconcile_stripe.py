"""python manage.py reconcile_stripe: process recent Stripe events the app missed and report differences."""

from django.core.management.base import BaseCommand, CommandError

from fundraising.payments import stripe_api
from fundraising.payments.reconcile import RECONCILE_DAYS, RECONCILE_OBJECTS_DAYS, stripe_reconcile


class Command(BaseCommand):
    help = "Fetch recent Stripe events, process any the app never received, report ledger vs Stripe differences."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=RECONCILE_DAYS, help="Events how far back (Stripe keeps 30).")
        parser.add_argument("--objects-days", type=int, default=RECONCILE_OBJECTS_DAYS,
                            help="Payments, invoices, refunds and disputes how far back.")  # fmt: skip

    def handle(self, *args, days, objects_days, **options):
        try:
            report = stripe_reconcile(days=days, objects_days=objects_days)
        except (stripe_api.StripeNotConfigured, stripe_api.StripeUnavailable) as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            self.stdout.write(line)
        if not report.clean:
            raise CommandError("the ledger and Stripe differ; see above")
