"""Post a correctly signed Stripe event to the running app's webhook, like `stripe trigger`, offline."""

import json
import time
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fundraising.campaigns import selectors
from fundraising.core import money
from fundraising.payments import stripe_api

API_VERSION = "2026-10-28.endive"


def _sid(prefix):
    return f"{prefix}_sim{uuid.uuid4().hex[:20]}"


def event_wrap(type_, obj, now):
    return {
        "id": _sid("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": now,
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": type_,
    }


def one_time_event(*, campaign, amount, now, email=None):
    """checkout.session.completed as a Payment Link payment would send it: campaign metadata, paid."""
    session = {
        "id": _sid("cs_test"),
        "object": "checkout.session",
        "amount_subtotal": amount,
        "amount_total": amount,
        "currency": campaign.currency,
        "currency_conversion": None,
        "customer_details": {"email": email, "name": None},
        "livemode": False,
        "metadata": {"fundraising_campaign": campaign.slug},
        "mode": "payment",
        "payment_intent": _sid("pi"),
        "payment_link": None,
        "payment_status": "paid",
        "status": "complete",
        "subscription": None,
    }
    return event_wrap("checkout.session.completed", session, now)


# The billing period of a monthly and of a yearly price, as the simulated subscription and its invoice state it.
PERIOD_SECONDS = {"month": 30 * 24 * 3600, "year": 365 * 24 * 3600}


def monthly_event(*, campaign, amount, now, email=None, subscription=None, customer=None, interval="month"):
    """invoice.paid for a subscription's first month (or year), metadata under parent.subscription_details; its
    one line bills the period, which is how the app tells a yearly invoice it did not start (a Payment Link's)."""
    subscription = subscription or _sid("sub")
    line = {"id": _sid("il"), "object": "line_item", "amount": amount, "currency": campaign.currency,
            "parent": {"subscription_item_details": {"subscription": subscription},
                       "type": "subscription_item_details"},
            "period": {"start": now, "end": now + PERIOD_SECONDS[interval]}, "quantity": 1}  # fmt: skip
    invoice = {
        "id": _sid("in"),
        "object": "invoice",
        "amount_due": amount,
        "amount_paid": amount,
        "amount_remaining": 0,
        "billing_reason": "subscription_create",
        "currency": campaign.currency,
        "customer": customer or _sid("cus"),
        "customer_email": email,
        "lines": {"object": "list", "data": [line], "has_more": False},
        "livemode": False,
        "metadata": {},
        "parent": {
            "quote_details": None,
            "subscription_details": {"metadata": {"fundraising_campaign": campaign.slug}, "subscription": subscription},
            "type": "subscription_details",
        },
        "status": "paid",
        "status_transitions": {"finalized_at": now, "marked_uncollectible_at": None, "paid_at": now, "voided_at": None},
    }
    return event_wrap("invoice.paid", invoice, now)


def subscription_event(*, campaign, amount, now, subscription, customer, interval="month"):
    """customer.subscription.created: what the gift costs, how often and when it renews (the manage page shows it)."""
    period_end = now + PERIOD_SECONDS[interval]
    price = {"id": _sid("price"), "object": "price", "currency": campaign.currency, "product": _sid("prod"),
             "recurring": {"interval": interval, "interval_count": 1}, "type": "recurring", "unit_amount": amount}
    item = {"id": _sid("si"), "object": "subscription_item", "current_period_start": now,
            "current_period_end": period_end, "price": price, "quantity": 1, "subscription": subscription}
    obj = {"id": subscription, "object": "subscription", "cancel_at_period_end": False, "canceled_at": None,
           "currency": campaign.currency, "customer": customer, "ended_at": None, "livemode": False,
           "items": {"object": "list", "data": [item], "has_more": False},
           "metadata": {"fundraising_campaign": campaign.slug}, "start_date": now, "status": "active"}  # fmt: skip
    return event_wrap("customer.subscription.created", obj, now)


class Command(BaseCommand):
    help = "Post a signed Stripe event for a gift to SITE_URL/stripe/webhook/ (needs STRIPE_WEBHOOK_SECRET)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("amount", help="In major units as a supporter types it, e.g. 25 or 12.50")
        often = parser.add_mutually_exclusive_group()
        often.add_argument("--monthly", action="store_true", help="The first payment of a monthly gift")
        often.add_argument("--yearly", action="store_true", help="The first payment of a yearly gift")
        parser.add_argument("--url", default="", help="Webhook URL (default: SITE_URL/stripe/webhook/)")
        parser.add_argument("--email", default=None, help="The supporter's address (a receipt is sent to it)")

    def handle(self, *args, slug, amount, monthly, url, email=None, yearly=False, **options):
        campaign = selectors.campaign_by_slug(slug=slug, active_only=False)
        if campaign is None:
            raise CommandError(f"No campaign {slug!r}.")
        if not settings.STRIPE_WEBHOOK_SECRET:
            raise CommandError("STRIPE_WEBHOOK_SECRET is not set (e.g. whsec_demo in .env); the app would answer 503.")
        try:
            minor = campaign.parse(amount)
        except money.MoneyError as exc:
            raise CommandError(money.command_question(exc, campaign.currency, campaign.locale)) from None
        now, url = int(time.time()), url or f"{settings.SITE_URL}/stripe/webhook/"
        if monthly or yearly:
            subscription, customer = _sid("sub"), _sid("cus")
            interval = "year" if yearly else "month"
            described = subscription_event(campaign=campaign, amount=minor, now=now, subscription=subscription,
                                           customer=customer, interval=interval)  # fmt: skip
            self.post(described, url)
            event = monthly_event(campaign=campaign, amount=minor, now=now, email=email, subscription=subscription,
                                  customer=customer, interval=interval)  # fmt: skip
        else:
            event = one_time_event(campaign=campaign, amount=minor, now=now, email=email)
        status = self.post(event, url)
        self.stdout.write(f"{event['type']} {event['id']}: {campaign.format(minor)} to {slug} -> HTTP {status}")

    def post(self, event, url):
        if not url.startswith(("http://", "https://")):
            raise CommandError(f"Not an http(s) URL: {url!r}")
        body = json.dumps(event)
        header = stripe_api.webhook_signature_header(payload=body, secret=settings.STRIPE_WEBHOOK_SECRET)
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            url, data=body.encode(), method="POST",
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own SITE_URL
                return response.status
        except urllib.error.HTTPError as exc:
            raise CommandError(f"The webhook answered {exc.code}: {exc.read()[:200]!r}") from None
        except urllib.error.URLError as exc:
            raise CommandError(f"Could not reach {url}: {exc.reason}. Is the app running?") from None
