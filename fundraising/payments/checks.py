"""`manage.py check --deploy`: warn when Stripe's webhook endpoint for SITE_URL misses an event the app needs.
Only a deploy check, since it asks Stripe (never on every manage.py command)."""

from django.conf import settings
from django.core import checks

from . import stripe_api
from .endpoint import endpoint_check, endpoint_url


@checks.register(checks.Tags.compatibility, deploy=True)
def stripe_endpoint_events(app_configs=None, **kwargs):
    if not settings.STRIPE_SECRET_KEY:
        return []
    try:
        missing = endpoint_check()
    except stripe_api.StripeUnavailable as exc:
        return [checks.Warning(f"Could not read Stripe's webhook endpoints: {exc}", id="fundraising.W101")]
    if not missing:
        return []
    return [
        checks.Warning(
            f"The Stripe webhook endpoint for {endpoint_url()} misses events the app needs: {', '.join(missing)}",
            hint="Run `python manage.py stripe_webhook_setup` (docs/stripe.md, 'Webhook endpoint').",
            id="fundraising.W100",
        )
    ]
