"""The supporter's pages: ask for a manage link, manage monthly gifts, print a yearly statement.

No account: a signed, expiring link names the address; the pages say the same whether or not it gave."""

import functools
import logging
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from fundraising.core import money
from fundraising.core.language import language_override, locale_language
from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from fundraising.payments.checkout import checkout_locale
from fundraising.payments.forms import CONFIRMED, amount_read, suggestion_text
from fundraising.payments.views import _campaign_or_404, client_ip

from . import gifts, links, statements
from .forms import ManageRequestForm
from .models import Notice
from .notices import notice_create

log = logging.getLogger(__name__)


def in_campaign_language(view):
    """The campaign's language for the whole page, as on the donation page (never Accept-Language)."""

    @functools.wraps(view)
    def wrapper(request, slug, **kwargs):
        campaign = _campaign_or_404(slug)
        with language_override(campaign.locale):
            return view(request, campaign, **kwargs)

    return wrapper


@require_http_methods(["GET", "HEAD", "POST"])
@in_campaign_language
def manage_request(request, campaign):
    """An e-mail address in, a link out by e-mail, the same answer whatever the address."""
    if request.method != "POST":
        return render(request, "supporters/manage_request.html", {"campaign": campaign, "form": ManageRequestForm()})
    form = ManageRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "supporters/manage_request.html", {"campaign": campaign, "form": form}, status=400)
    if not links.link_request_allowed_for_ip(client_ip=client_ip(request)):
        response = render(request, "supporters/manage_limited.html", {"campaign": campaign}, status=429)
        response["Retry-After"] = str(settings.MANAGE_LINK_RATE_LIMIT_IP[1])
        return response
    manage_link_request(campaign=campaign, email=form.cleaned_data["email"])
    return render(request, "supporters/manage_sent.html", {"campaign": campaign})


def manage_link_request(*, campaign, email):
    """The public form's request: the same work whatever the address, so its timing tells no one who gave. A
    notice is queued for any address within its rate limit; whether the address gave is looked up when the
    notice is sent (notices.notice_deliver), which mails nothing to a stranger and leaves no row. Without a
    broker, beat's notices sweep sends it, never this request."""
    from .tasks import notice_send, notices_brokerless

    email = links.email_normalise(email)
    if not links.link_request_allowed_for_address(organization_id=campaign.organization_id, email=email):
        return None
    notice, _created = notice_create(key=f"manage-link:{campaign.organization_id}:{email}:{uuid.uuid4()}",
                                     kind=Notice.Kind.MANAGE_LINK, campaign=campaign, email=email)  # fmt: skip
    if not notices_brokerless():
        notice_send.delay_on_commit(str(notice.pk))
    return notice


def manage_link_send(*, campaign, email, limited=True):
    """Queue the link if the address gave to the organisation and has not asked too often; else nothing.
    Owners resending from the admin are not limited (the public form calls manage_link_request)."""
    from .tasks import notice_send

    email = links.email_normalise(email)
    allowed = not limited or links.link_request_allowed_for_address(
        organization_id=campaign.organization_id, email=email
    )
    if not allowed:
        return None
    if not Donation.objects.filter(
        campaign__organization_id=campaign.organization_id, donor_email__iexact=email
    ).exists():
        return None
    notice, _created = notice_create(key=f"manage-link:{campaign.organization_id}:{email}:{uuid.uuid4()}",
                              kind=Notice.Kind.MANAGE_LINK, campaign=campaign, email=email)  # fmt: skip
    notice_send.delay_on_commit(str(notice.pk))
    return notice


def _link_or_page(request, campaign, token):
    """(email, None) for a good link, else (None, the clear page that says why)."""
    try:
        return links.manage_token_read(token, organization_id=campaign.organization_id), None
    except links.LinkExpired:
        problem, status = "expired", 410
    except links.LinkInvalid:
        problem, status = "invalid", 400
    page = render(request, "supporters/manage_bad_link.html", {"campaign": campaign, "problem": problem}, status=status)
    return None, page


@never_cache  # a supporter's address and gifts: no browser or proxy keeps a copy (Cache-Control: no-store)
@require_http_methods(["GET", "HEAD"])
@in_campaign_language
def manage(request, campaign, token):
    email, bad = _link_or_page(request, campaign, token)
    if bad:
        return bad
    shown = gifts.monthly_gifts(organization=campaign.organization, email=email)
    context = {
        "campaign": campaign,
        "email": email,
        "token": token,
        "gifts": shown,
        "yearly_any": any(gift.yearly for gift in shown),
        "asked": _amount_question(request.GET, shown),
        "years": statements.statement_years(organization=campaign.organization, email=email),
    }
    return render(request, "supporters/manage.html", context)


@never_cache  # a supporter's address and gifts: no browser or proxy keeps a copy (Cache-Control: no-store)
@require_POST
@in_campaign_language
def gift_change(request, campaign, token, subscription_id):
    email, bad = _link_or_page(request, campaign, token)
    if bad:
        return bad
    back = f"/c/{campaign.slug}/manage/{token}/"
    try:
        gift = gifts.monthly_gift(organization=campaign.organization, email=email, subscription_id=subscription_id)
    except gifts.GiftNotFound:
        messages.error(request, _("That gift is not among this address's monthly gifts."))
        return HttpResponseRedirect(back, status=303)
    action = request.POST.get("action", "")
    try:
        if action == "amount":
            text = request.POST.get("amount", "")
            amount = amount_read(campaign=gift.campaign, text=text, confirmed=request.POST.get(CONFIRMED, ""))
            gifts.gift_amount_change(gift=gift, amount=amount)
        elif action == "fee_cover_drop":
            gifts.gift_fee_cover_drop(gift=gift)
        elif action in ("cancel_at_end", "cancel_now"):
            gifts.gift_cancel(gift=gift, at_period_end=action == "cancel_at_end")
        elif action == "card":
            url = gifts.gift_card_update_url(gift=gift, return_url=settings.SITE_URL + back,
                                             locale=checkout_locale(campaign))  # fmt: skip
            return HttpResponseRedirect(url, status=303)
        else:
            messages.error(request, _("Choose what to change."))
            return HttpResponseRedirect(back, status=303)
    except money.MoneyError as exc:
        messages.error(request, str(exc))
        if exc.suggestion is not None:  # the page offers the suggestion as a button beside the gift
            query = urlencode({"gift": subscription_id, "amount": request.POST.get("amount", "")[:30]})
            return HttpResponseRedirect(f"{back}?{query}#gift-{subscription_id}", status=303)
    except (stripe_api.StripeUnavailable, stripe_api.StripeNotConfigured) as exc:
        log.error("gift change %s on %s failed: %s", action, subscription_id, exc)
        messages.error(request, _refusal_text(exc))
    else:
        messages.success(request, _("Asked. Stripe confirms changes within a few seconds; this page shows them then."))
    return HttpResponseRedirect(back, status=303)


def _refusal_text(exc):
    """Only a failure a second try may cure invites one; Stripe's refusal says to ask the organisation."""
    if getattr(exc, "retryable", False):
        return _("Stripe could not make that change just now. Nothing was changed; please try again.")
    return _("Stripe did not accept that change, and trying again will not help. Nothing was changed; "
             "please write to the organisation.")  # fmt: skip


def _amount_question(query, gifts_shown):
    """The question a change of amount left ("Did you mean 25.50 $?"): read again from the typed text in
    the link, so the page offers the suggestion as a button and never trusts an amount from a URL."""
    text = query.get("amount", "")[:30]
    for gift in gifts_shown:
        if gift.subscription_id == query.get("gift"):
            try:
                gift.campaign.parse(text)
            except money.MoneyError as exc:
                if exc.suggestion is not None:
                    label = suggestion_text(gift.campaign, exc.suggestion)
                    return {"subscription_id": gift.subscription_id, "text": text, "amount": exc.suggestion,
                            "label": label}  # fmt: skip
    return None


@never_cache  # a supporter's address and gifts: no browser or proxy keeps a copy (Cache-Control: no-store)
@require_http_methods(["GET", "HEAD"])
@in_campaign_language
def statement(request, campaign, token, year):
    email, bad = _link_or_page(request, campaign, token)
    if bad:
        return bad
    if not 2000 <= year <= 2999:
        return render(request, "supporters/manage_bad_link.html", {"campaign": campaign, "problem": "year"}, status=404)
    context = {
        "campaign": campaign,
        "token": token,
        "language": locale_language(campaign.locale),
        "statement": statements.statement_build(organization=campaign.organization, email=email, year=year),
    }
    return render(request, "supporters/statement.html", context)
