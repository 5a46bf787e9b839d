"""Run the beat schedule's due tasks once, in-process: cron's job on a setup without a broker."""

from django.conf import settings
from django.core.management.base import BaseCommand

from fundraising.ops.beat import beat_due_run


class Command(BaseCommand):
    help = "Run the periodic tasks that are due (sweeps, rollover, heartbeat) without a broker; for cron."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Run every periodic task, due or not")

    def handle(self, *args, all, **options):
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            self.stderr.write("A broker is configured (REDIS_URL): Celery beat runs these; nothing to do.")
            return
        ran = beat_due_run(force=all)
        self.stdout.write(f"Ran: {', '.join(ran) or 'nothing was due'}")
