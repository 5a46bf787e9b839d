"""Let a month pass in the demo (DEBUG only): fundraising/ops/demo_month.py."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fundraising.ops.demo_month import demo_month_close


class Command(BaseCommand):
    help = (
        "DEBUG only: move the demo's months and gifts one month back, as if a month had passed, then close "
        "last month as beat does (final figures, the owners' summary e-mail) and open the new one."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_month_close rewrites every campaign's dates: it runs only with DEBUG=1")
        rolled = demo_month_close()
        self.stdout.write(f"A month passed: {rolled} campaign(s) closed last month and opened this one.")
        if settings.EMAIL_BACKEND.endswith("MailboxBackend"):
            self.stdout.write(f"The owners' summary e-mail: {settings.SITE_URL}/mailbox/")
