"""Crowdfunding goal tracker: monthly campaigns, Stripe donations, embeddable progress bars."""

import sys

# pyproject.toml's requires-python: older Pythons install and pass `check`, then crash (datetime.UTC is 3.11+).
# Checked first, before Celery and kombu are imported (they fail in their own ways on an old Python).
OLDEST_PYTHON = (3, 11)
if tuple(sys.version_info[:2]) < OLDEST_PYTHON:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"Python {'.'.join(map(str, sys.version_info[:3]))} is too old: this app needs Python 3.11 or newer"
    )

# The release (CHANGELOG.md); /healthz and the admin's footer show it.
__version__ = "1.0.0"

from .celery import app as celery_app  # noqa: E402  (after __version__: fundraising.ops imports it)

__all__ = ("__version__", "celery_app")
