"""The local test checkout page of `make demo` (fundraising/payments/demo_checkout.py): show, pay, cancel.

And the stand-in of the Customer Portal's "update payment method" page that the manage page's Update card
opens. Every view answers 404 unless stripe_api.demo_checkout_active() (DEBUG on, STRIPE_DEMO_CHECKOUT on, no
STRIPE_SECRET_KEY). Paying POSTs the events, signed with STRIPE_WEBHOOK_SECRET, to this site's own
/stripe/webhook/ over HTTP, so they take the production path: verify, store, drain, ledger."""

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from fundraising.campaigns import selectors
from fundraising.core import money
from fundraising.core.language import language_override

from . import demo_checkout, stripe_api


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
            "yearly": session["_interval"] == "year",
            "form": form,
            "amount_text": campaign.format(session["amount_total"])  # the campaign's pattern, as its page shows
            if campaign and campaign.currency == session["currency"]
            else money.format_money(session["amount_total"], session["currency"], locale),
            "campaign": campaign,
        }
        context["lines"] = _lines_shown(session, campaign, locale)
        return render(request, "fundraising/demo_checkout.html", context, status=status)


def _lines_shown(session, campaign, locale):
    """Each line with its amount, as Stripe's page lists them when there are several (a card fees cover)."""
    lines = session.get("_lines") or []
    if len(lines) < 2:
        return []
    if campaign and campaign.currency == session["currency"]:
        return [(name, campaign.format(amount)) for name, amount in lines]
    return [(name, money.format_money(amount, session["currency"], locale)) for name, amount in lines]


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
    """POST one event, signed, to this site's webhook (demo_checkout.event_post); returns the HTTP status."""
    return demo_checkout.event_post(event)


def _portal_or_404(session_id):
    if not stripe_api.demo_checkout_active():
        raise Http404("The local test checkout is off")
    session = demo_checkout.portal_session_retrieve(session_id=session_id)
    if session is None:
        raise Http404("No such portal session")
    return session


@require_http_methods(["GET", "HEAD"])
def portal_page(request, session_id):
    """The stand-in of Stripe's Customer Portal, opened on "update payment method"."""
    session = _portal_or_404(session_id)
    with language_override(_portal_locale(session)):
        return render(request, "fundraising/demo_portal.html", {"session": session})


@require_POST
def portal_card_save(request, session_id):
    session = _portal_or_404(session_id)
    demo_checkout.portal_card_update(session_id=session_id)
    return HttpResponseRedirect(session["return_url"], status=303)


def _portal_locale(session):
    """The portal's locale as the manage page asked for it ("fr", "de", "auto"...), as a Django locale."""
    locale = session.get("locale") or ""
    return locale if locale and locale != "auto" else settings.LANGUAGE_CODE
