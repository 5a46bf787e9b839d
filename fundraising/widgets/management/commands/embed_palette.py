"""Write the palette of fundraising/core/palette.py into static/fundraising/embed.js (or --check it)."""

from django.core.management.base import BaseCommand, CommandError

from fundraising.widgets.embed_palette import SCRIPT, script_with_palette


class Command(BaseCommand):
    help = "Generate embed.js's THEMES and default accent from fundraising/core/palette.py."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Exit 1 if embed.js differs; write nothing.")

    def handle(self, *args, check=False, **options):
        current = SCRIPT.read_text()
        wanted = script_with_palette(current)
        if wanted == current:
            self.stdout.write("embed.js palette is up to date")
        elif check:
            raise CommandError("embed.js palette differs from fundraising/core/palette.py: run manage.py embed_palette")
        else:
            SCRIPT.write_text(wanted)
            self.stdout.write(f"wrote {SCRIPT}")
