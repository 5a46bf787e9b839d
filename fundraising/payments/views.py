"""The hosted donation page, the thank-you page and Stripe's webhook: parse, call one service, answer."""

import functools
import logging

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from fundraising.campaigns import selectors
from fundraising.core.language import language_override, locale_language
from fundraising.widgets.options import OptionError, locale_parse
from fundraising.widgets.render import updated_ago
from fundraising.widgets.snapshots import snapshot_build, snapshot_localize

from . import checkout, stripe_api, stripe_events, tasks, velocity
from .challenge import challenge_create
from .forms import DonationForm, donation_prefill
from .thanks import thanks_donation

log = logging.getLogger(__name__)


def _campaign_or_404(slug):
    campaign = selectors.campaign_by_slug(slug=slug)
    if campaign is None:
        raise Http404("No such campaign")
    return campaign


def page_locale_apply(request, campaign):
    """A widget in another language than its campaign links here with ?locale=: the page, the amounts typed
    and Stripe's checkout then speak it too. Only this request's campaign object changes (never saved);
    `own_locale` keeps the campaign's own, so the return URLs can carry the page's."""
    raw = request.GET.get("locale", "")
    try:
        locale = locale_parse(raw) if raw else ""
    except OptionError:
        locale = ""
    if locale and locale != campaign.locale:
        campaign.own_locale, campaign.locale = campaign.locale, locale
    return campaign


def in_campaign_language(view):
    """Run the view with its campaign's language active (form messages, labels, the bar): the
    campaign's locale decides, not the visitor's Accept-Language (no LocaleMiddleware)."""

    @functools.wraps(view)
    def wrapper(request, slug):
        campaign = page_locale_apply(request, _campaign_or_404(slug))
        with language_override(campaign.locale):
            return view(request, campaign)

    return wrapper


def _donate_page(request, campaign, form, *, status=200, problem=""):
    snapshot = snapshot_localize(snapshot=snapshot_build(campaign_id=campaign.pk), locale=campaign.locale)
    context = {
        "campaign": campaign,
        "form": form,
        "snapshot": snapshot,
        "updated_at": parse_datetime(snapshot["updated_at"]),
        "updated_ago": updated_ago(parse_datetime(snapshot["updated_at"]), timezone.now()),
        "stripe_ready": stripe_api.checkout_ready(),
        "demo_checkout": stripe_api.demo_checkout_active(),
        "problem": problem,
        "challenge_language": locale_language(campaign.locale),
    }
    return render(request, "fundraising/donate.html", context, status=status)


def client_ip(request):
    """The donor's address: behind NUM_PROXIES proxies, the one the outermost proxy saw.

    Entries further left in X-Forwarded-For come from the client and could be forged."""
    if settings.NUM_PROXIES > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= settings.NUM_PROXIES:
            return forwarded[-settings.NUM_PROXIES]
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "HEAD", "POST"])
@in_campaign_language
def donate(request, campaign):
    if request.method != "POST":
        initial = donation_prefill(campaign=campaign, query=request.GET)
        initial |= checkout.checkout_cancelled_choices(campaign=campaign, query=request.GET)
        return _donate_page(request, campaign, DonationForm(campaign=campaign, initial=initial))
    form = DonationForm(request.POST, campaign=campaign)
    if not form.is_valid():
        return _donate_page(request, campaign, form, status=400)
    if not stripe_api.checkout_ready():
        return _donate_page(request, campaign, form, status=503, problem="not_configured")
    if velocity.campaign_paused(campaign=campaign):
        log.warning("donation page %s paused by velocity rules", campaign.slug)
        return _donate_page(request, campaign, form, status=503, problem="paused")
    try:
        checkout.checkout_rate_take(client_ip=client_ip(request))
    except checkout.RateLimited as exc:
        log.warning("donation rate limit: %s", exc)
        response = render(request, "fundraising/donate_limited.html", {"campaign": campaign}, status=429)
        response["Retry-After"] = str(settings.DONATION_RATE_LIMIT[1])
        return response
    data = form.cleaned_data
    try:
        donation, url = checkout.donation_checkout_start(
            campaign=campaign,
            amount=data["amount"],
            kind=data["kind"],
            public_name=data["public_name"],
            message=data["message"],
            anonymous=data["anonymous"],
            tribute=data["tribute"],
            fee_cover=data["fee_cover"],
        )
    except stripe_api.StripeUnavailable as exc:
        log.error("checkout session for %s failed: %s", campaign.slug, exc)
        return _donate_page(request, campaign, form, status=502, problem="stripe_down")
    velocity.session_address_remember(donation_id=donation.pk, client_ip=client_ip(request))
    return HttpResponseRedirect(url, status=303)


@never_cache
@require_http_methods(["GET"])
@in_campaign_language
def donate_challenge(request, campaign):
    """A fresh proof-of-work challenge for the donation form's widget: per request, signed, expiring; harder for
    an address or campaign past the velocity rules. No cookie, nothing stored."""
    difficulty = velocity.challenge_difficulty(campaign=campaign, client_ip=client_ip(request))
    return JsonResponse(challenge_create(difficulty=difficulty))


@require_http_methods(["GET", "HEAD"])
@in_campaign_language
def thanks(request, campaign):
    """Counts the gift right away when Stripe says the session is paid (the webhook may come later;
    both call the same idempotent service, so the gift counts once)."""
    donation = thanks_donation(
        campaign=campaign, session_id=request.GET.get("session_id", ""), client_ip=client_ip(request)
    )
    if donation is not None and donation.paid_at is None:  # known, but Stripe has not said it is paid
        donation = None
    context = {
        "campaign": campaign,
        "donation": donation,
        "amount_text": campaign.format(donation.gift) if donation else "",  # the gift; a fees cover on its own line
        "fee_cover_text": campaign.format(donation.fee_cover) if donation and donation.fee_cover else "",
        "total_text": campaign.format(donation.amount) if donation else "",
        "snapshot": snapshot_localize(snapshot=snapshot_build(campaign_id=campaign.pk), locale=campaign.locale),
    }
    return render(request, "fundraising/thanks.html", context)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Verify, store, queue a drain, answer. Processing happens in a task after the event is safely stored."""
    try:
        record, created = stripe_events.stripe_event_store(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except stripe_api.StripeNotConfigured:
        return HttpResponse("Webhook secret not configured.\n", status=503, content_type="text/plain")
    except stripe_api.SignatureInvalid as exc:
        log.warning("rejected webhook: %s", exc)
        return HttpResponse("Signature does not verify.\n", status=400, content_type="text/plain")
    except stripe_events.EventOutOfBounds as exc:
        log.warning("refused webhook: %s", exc)
        return HttpResponse(f"Refused: {exc}.\n", status=400, content_type="text/plain")
    if created:
        transaction.on_commit(tasks.stripe_events_drain_enqueue)
    return JsonResponse({"received": True, "event": record.stripe_id})
