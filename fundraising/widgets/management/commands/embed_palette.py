"""Write the palette of fundraising/core/palette.py into assets/embed.js and rebuild the served
static/fundraising/embed.js from it (or --check both)."""

from django.core.management.base import BaseCommand, CommandError

from fundraising.widgets.embed_palette import SCRIPT, SERVED, embed_minify, script_with_palette, served_palette_missing


class Command(BaseCommand):
    help = "Generate embed.js's THEMES and default accent from fundraising/core/palette.py."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Exit 1 if embed.js differs; write nothing.")

    def handle(self, *args, check=False, **options):
        current = SCRIPT.read_text()
        wanted = script_with_palette(current)
        missing = served_palette_missing(SERVED.read_text())
        if wanted == current and not missing:
            self.stdout.write("embed.js palette is up to date")
        elif check:
            raise CommandError(
                "embed.js palette differs from fundraising/core/palette.py: run manage.py embed_palette"
                + (f" (the served {SERVED.name} lacks {', '.join(missing)})" if missing else "")
            )
        else:
            SCRIPT.write_text(wanted)
            self.stdout.write(f"wrote {SCRIPT}")
            try:
                SERVED.write_bytes(embed_minify())
            except FileNotFoundError as exc:
                raise CommandError(f"{exc}; then run `make embed` to rebuild {SERVED}") from exc
            self.stdout.write(f"wrote {SERVED}")
