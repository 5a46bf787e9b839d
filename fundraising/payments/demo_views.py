"""The local test checkout page of `make demo` (fundraising/payments/demo_checkout.py): show, pay, cancel.

Every view answers 404 unless stripe_api.demo_checkout_active() (DEBUG on, STRIPE_DEMO_CHECKOUT on, no
STRIPE_SECRET_KEY). Paying POSTs the events, signed with STRIPE_WEBHOOK_SECRET, to this site's own
/stripe/webhook/ over HTTP, so they take the production path: verify, store, drain, ledger."""

import json
import logging
import urllib.error
import urllib.request

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from fundraising.campaigns import selectors
from fundraising.core import money
from fundraising.core.language import language_override

from . import demo_checkout, stripe_api

log = logging.getLogger(__name__)


class PayForm(forms.Form):
    email = forms.EmailField(required=False, max_length=254)


def _open_session_or_404(session_id):
    if not stripe_api.demo_checkout_active():
        raise Http404("The local test checkout is off")
    session = demo_checkout.session_retrieve(session_id=session_id)
    if session is None:
        raise Http404("No such checkout session")
    return session


def _page(request, session, form, *, status=200):
    campaign = selectors.campaign_by_slug(slug=session["metadata"].get("fundraising_campaign", ""), active_only=False)
    locale = campaign.locale if campaign else "en_US"
    with language_override(locale):
        context = {
            "session": session,
            "product": session["_product"],
            "monthly": session["_interval"] == "month",
            "form": form,
            "amount_text": campaign.format(session["amount_total"])  # the campaign's pattern, as its page shows
            if campaign and campaign.currency == session["currency"]
            else money.format_money(session["amount_total"], session["currency"], locale),
            "campaign": campaign,
        }
        return render(request, "fundraising/demo_checkout.html", context, status=status)


def _success_url(session):
    return session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])


@require_http_methods(["GET", "HEAD"])
def checkout_page(request, session_id):
    session = _open_session_or_404(session_id)
    if session["status"] == "complete":
        return HttpResponseRedirect(_success_url(session), status=303)
    return _page(request, session, PayForm(initial={"email": demo_checkout.DEMO_EMAIL}))


@require_POST
def checkout_pay(request, session_id):
    session = _open_session_or_404(session_id)
    form = PayForm(request.POST)
    if not form.is_valid():
        return _page(request, session, form, status=400)
    session, events = demo_checkout.session_pay(
        session_id=session_id, email=form.cleaned_data["email"] or demo_checkout.DEMO_EMAIL
    )
    for event in events:  # a second Pay re-sends the same events: the webhook stores each id once
        event_post(event)
    return HttpResponseRedirect(_success_url(session), status=303)


def event_post(event):
    """POST one event to SITE_URL/stripe/webhook/, signed as Stripe signs it; returns the HTTP status.
    A failure is logged, not raised: the thanks page still counts a one-time gift from the session."""
    url = settings.SITE_URL + reverse("stripe-webhook")
    body = json.dumps(event)
    header = stripe_api.webhook_signature_header(payload=body, secret=settings.STRIPE_WEBHOOK_SECRET)
    request = urllib.request.Request(  # noqa: S310 - SITE_URL is http(s), checked by settings
        url, data=body.encode(), method="POST",
        headers={"Content-Type": "application/json", "Stripe-Signature": header},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        log.error("demo checkout: %s %s answered %s", event["type"], url, exc.code)
        return exc.code
    except urllib.error.URLError as exc:
        log.error("demo checkout: could not POST %s to %s (is SITE_URL this server?): %s", event["type"], url, exc)
        return None
