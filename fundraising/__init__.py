"""Crowdfunding goal tracker: monthly campaigns, Stripe donations, embeddable progress bars."""

# The release (CHANGELOG.md); /healthz and the admin's footer show it.
__version__ = "1.0.0"

from .celery import app as celery_app  # noqa: E402  (after __version__: fundraising.ops imports it)

__all__ = ("__version__", "celery_app")
