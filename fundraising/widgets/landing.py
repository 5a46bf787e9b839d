"""`/`: the active campaigns, each with its bar as its donation page draws it (from its snapshot)."""

from django.conf import settings
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from fundraising.campaigns.models import Campaign, Organization
from fundraising.core.language import language_override, locale_language

from .snapshots import snapshot_localize, snapshot_of_campaign

# An anonymous page: it draws at most this many bars (the newest campaigns first past that).
SHOWN = 24


def campaign_card(campaign):
    """{campaign, bar}: the bar in the campaign's own language and format, as on its donation page."""
    with language_override(campaign.locale):
        snapshot = snapshot_localize(snapshot=snapshot_of_campaign(campaign), locale=campaign.locale)
        bar = render_to_string("fundraising/widgets/bar.html", {"snapshot": snapshot})
    language = locale_language(campaign.locale)
    return {"campaign": campaign, "bar": mark_safe(bar), "language": language}  # noqa: S308 - our template, escaped


@require_safe
def landing(request):
    campaigns = list(Campaign.objects.filter(active=True).select_related("organization").order_by("-pk")[:SHOWN])
    campaigns.sort(key=lambda campaign: campaign.title.casefold())
    organizations = {campaign.organization_id for campaign in campaigns}
    single = Organization.objects.get(pk=organizations.pop()) if len(organizations) == 1 else None
    context = {"cards": [campaign_card(c) for c in campaigns], "organization": single, "demo": settings.DEBUG}
    return render(request, "fundraising/index.html", context)
