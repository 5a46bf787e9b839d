"""Starting a gift: a pending Donation, then a Stripe Checkout Session for it, and the per-IP rate limit."""

import datetime
import uuid

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from fundraising.core.language import locale_language
from fundraising.core.ratelimit import rate_take
from fundraising.ledger.models import Donation

from . import readers, stripe_api
from .forms import donation_prefill

# Cancel on Checkout's page brings the donor back with their choices for this long after they left.
CANCELLED_KEPT = datetime.timedelta(days=1)


class RateLimited(Exception):
    """Too many Checkout Sessions from one client in the window."""


def checkout_rate_take(*, client_ip):
    """Count one Checkout Session for this client; raise RateLimited past DONATION_RATE_LIMIT."""
    if not rate_take(key=f"donation-rate:{client_ip}", limit=settings.DONATION_RATE_LIMIT):
        raise RateLimited(f"{client_ip} made too many attempts in {settings.DONATION_RATE_LIMIT[1]} s")


def donation_metadata(donation):
    return {"fundraising_campaign": donation.campaign.slug, "fundraising_donation": str(donation.id)}


# Languages Stripe Checkout speaks (its `locale` parameter); anything else lets Stripe pick ("auto").
CHECKOUT_LOCALES = {
    "bg",
    "cs",
    "da",
    "de",
    "el",
    "en",
    "es",
    "et",
    "fi",
    "fil",
    "fr",
    "hr",
    "hu",
    "id",
    "it",
    "ja",
    "ko",
    "lt",
    "lv",
    "ms",
    "mt",
    "nb",
    "nl",
    "pl",
    "pt",
    "ro",
    "ru",
    "sk",
    "sl",
    "sv",
    "th",
    "tr",
    "vi",
    "zh",
}


def checkout_locale(campaign):
    """The campaign's language for Stripe's hosted page, so the donor is not switched to another one."""
    language = locale_language(campaign.locale)
    return language if language in CHECKOUT_LOCALES else "auto"


# A recurring gift is a subscription whose price renews every month or every year (Stripe's recurring.interval).
CHECKOUT_INTERVAL = {Donation.Kind.MONTHLY: "month", Donation.Kind.YEARLY: "year"}
CHECKOUT_LABEL = {
    Donation.Kind.MONTHLY: lambda: _("Monthly donation"),
    Donation.Kind.YEARLY: lambda: _("Yearly donation"),
}


def checkout_session_params(*, donation):
    """The Checkout Session for a pending donation, as docs/stripe.md's metadata contract says."""
    campaign = donation.campaign
    interval = CHECKOUT_INTERVAL.get(donation.kind)
    label = CHECKOUT_LABEL.get(donation.kind, lambda: _("Donation"))()  # what Stripe's page shows as the product
    price_data = {
        "currency": donation.currency,
        "unit_amount": donation.gift,
        "product_data": {"name": f"{label}: {campaign.title}"[:250]},
    }
    metadata = donation_metadata(donation)
    # A page shown in another language than the campaign's (a localized widget's link) comes back in it.
    lang = f"locale={campaign.locale}" if getattr(campaign, "own_locale", None) else ""
    params = {
        "mode": "subscription" if interval else "payment",
        "line_items": [{"price_data": price_data, "quantity": 1}],
        "success_url": f"{settings.SITE_URL}/c/{campaign.slug}/thanks/?session_id={{CHECKOUT_SESSION_ID}}"
        + (f"&{lang}" if lang else ""),
        # Back on the donation page with the choices made (checkout_cancelled_choices): only the id travels.
        "cancel_url": f"{settings.SITE_URL}/c/{campaign.slug}/?cancelled={donation.id}" + (f"&{lang}" if lang else ""),
        "client_reference_id": str(donation.id),
        "locale": checkout_locale(campaign),
        "metadata": metadata,
    }
    if interval:
        price_data["recurring"] = {"interval": interval}
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["submit_type"] = "donate"
        params["payment_intent_data"] = {"metadata": metadata}
    return checkout_fee_cover_add(params, donation=donation)


# The metadata key of a monthly gift's subscription saying how much of each month is its card fees cover: the
# invoices' subscription details carry it, so every renewal's cover is known (readers.invoice_fee_cover).
FEE_COVER_KEY = readers.FEE_COVER_KEY


def checkout_fee_cover_add(params, *, donation):
    """A gift with a card fees cover: the cover is a second line ("Card fees covered"), billed as often as the
    gift (its recurring terms copied), and a subscription's metadata says how much it is."""
    if not donation.fee_cover:
        return params
    gift_price = params["line_items"][0]["price_data"]
    price_data = {
        "currency": donation.currency,
        "unit_amount": donation.fee_cover,
        "product_data": {"name": _("Card fees covered")},
    }
    if gift_price.get("recurring"):
        price_data["recurring"] = dict(gift_price["recurring"])
        params["subscription_data"]["metadata"] = {
            **params["subscription_data"]["metadata"],
            FEE_COVER_KEY: str(donation.fee_cover),
        }
    params["line_items"].append({"price_data": price_data, "quantity": 1})
    return params


def donation_checkout_start(
    *, campaign, amount, kind, public_name="", message="", anonymous=False, tribute=None, fee_cover=0
):
    """Record the pending gift, then open its Checkout Session; returns (donation, session_url).
    `amount` is the gift; `fee_cover` what the donor adds for the card fees (forms.FeeCoverFields): the row's
    amount is what is charged, both together, and its fee_cover the part that covers fees.
    `tribute`: the dedication's Donation fields (DonationForm's cleaned "tribute"); it stays on this row,
    nothing of it goes to Stripe (the metadata's donation id already leads back here).

    The donation row is saved first and kept whatever Stripe answers, so an abandoned or failed
    attempt stays visible to the owner as pending; the idempotency key makes a retry reuse the session."""
    donation = Donation.objects.create(
        campaign=campaign,
        amount=amount + fee_cover,
        fee_cover=fee_cover,
        currency=campaign.currency,
        kind=kind,
        public_name=public_name,
        message=message,
        anonymous=anonymous,
        **(tribute or {}),
    )
    session = stripe_api.checkout_session_create(
        params=checkout_session_params(donation=donation), idempotency_key=f"donation-{donation.id}-checkout"
    )
    Donation.objects.filter(pk=donation.pk).update(stripe_checkout_session_id=session["id"])
    donation.stripe_checkout_session_id = session["id"]
    return donation, session["url"]


def checkout_cancelled_choices(*, campaign, query):
    """The form's initial values from a checkout the donor cancelled (?cancelled=<donation id>, Checkout's
    cancel_url): amount, frequency, name, message. Only a gift still pending, of this campaign, started within
    CANCELLED_KEPT; anything else gives the plain form."""
    try:
        donation_id = uuid.UUID(query.get("cancelled", "")[:36])
    except ValueError:
        return {}
    donation = Donation.objects.filter(
        pk=donation_id, campaign=campaign, status=Donation.Status.PENDING,
        created_at__gte=timezone.now() - CANCELLED_KEPT,
    ).first()  # fmt: skip
    if donation is None:
        return {}
    initial = donation_prefill(campaign=campaign, query={"amount": str(donation.gift), "kind": donation.kind})
    initial["fee_cover"] = donation.fee_cover > 0
    initial.update(public_name=donation.public_name, message=donation.message, anonymous=donation.anonymous)
    if donation.tribute_name:
        initial.update({field: getattr(donation, field) for field in TRIBUTE_FIELDS})
    return initial


TRIBUTE_FIELDS = ("tribute_kind", "tribute_name", "tribute_on_wall", "tribute_notify_email", "tribute_notify_amount")
