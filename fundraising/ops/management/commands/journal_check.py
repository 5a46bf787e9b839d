"""python manage.py journal_check: rows written around their service (no journal entry), for operators."""

from django.core.management.base import BaseCommand, CommandError

from fundraising.journal.dispatch import entries_undispatched
from fundraising.ops.journal_check import journal_gaps


class Command(BaseCommand):
    help = (
        "Compare the journal with the tables: gifts, milestone crossings, closed months and campaigns written "
        "without their journal entry (their receipts, refreshes and outgoing events never ran). Exits 1 on gaps."
    )

    def handle(self, *args, **options):
        gaps = journal_gaps()
        waiting = entries_undispatched()
        if waiting:
            self.stdout.write(f"{waiting} journal entries wait for dispatch (beat's journal sweep sends them).")
        if not gaps:
            self.stdout.write("The journal accounts for every row.")
            return
        for what, ids in gaps.items():
            self.stdout.write(f"{what}: {', '.join(str(i) for i in ids)}")
        raise CommandError("Rows were written around their service; see above.")
