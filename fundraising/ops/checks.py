"""`manage.py check --deploy`: warn on a configuration that runs but should not face donors (docs/operations.md)."""

from django.conf import settings
from django.core import checks


def _warning(message, hint, number):
    return checks.Warning(message, hint=hint, id=f"fundraising.W{number}")


@checks.register(checks.Tags.compatibility, deploy=True)
def production_services(app_configs=None, **kwargs):
    found = []
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        found.append(_warning("DATABASE_URL is SQLite: one machine, writes queue behind each other.",
                              "Use PostgreSQL: DATABASE_URL=postgres://user@host:5432/db", 110))  # fmt: skip
    if not settings.REDIS_URL:
        found.append(_warning("REDIS_URL is unset: tasks run inside web requests, no worker or beat.",
                              "Set REDIS_URL; run a worker and one beat (docs/operations.md).", 111))  # fmt: skip
    if not settings.SITE_URL.startswith("https://"):
        found.append(_warning(f"SITE_URL {settings.SITE_URL!r} is not https: links in e-mails and Stripe's "
                              "return URLs would be sent in clear.", "Set SITE_URL=https://...", 112))  # fmt: skip
    missing = [name for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET") if not getattr(settings, name)]
    if missing:
        found.append(_warning(f"{' and '.join(missing)} unset: the donation page takes no gift.",
                              "Paste both from Stripe's dashboard (docs/stripe.md).", 113))  # fmt: skip
    return found
