"""Crowdfunding goal tracker: monthly campaigns, Stripe donations, embeddable progress bars."""

from .celery import app as celery_app

__all__ = ("celery_app",)
