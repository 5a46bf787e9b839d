"""The owners' "Embed" page of a campaign: live previews and copy-ready snippets with options."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import escape, strip_tags

from fundraising.campaigns.admin import CampaignAdmin, goal_parse
from fundraising.campaigns.models import Campaign, Period
from fundraising.campaigns.services import period_bounds

from .options import LAYOUTS, THEMES, OptionError, WidgetOptions, options_parse
from .render import svg_render
from .services import snapshot_entry_get
from .snapshots import snapshot_of

# The campaign form's preview reads at most this many milestone rows of a submitted form (the inline's own
# limit is far lower; this only bounds the work of a hand-made POST).
PREVIEW_MILESTONES_MAX = 50

# The iframe's documented height: the full layout at 360 px in French (longest words we ship), title
# on two lines, month on its own line. Measured in tests/widgets/test_render_small_screens.py.
IFRAME_HEIGHT = 240
IFRAME_AMOUNTS_HEIGHT = 130  # more with ?amounts=1: the preset buttons and one-time/monthly, two rows at 320 px
IFRAME_WALL_HEIGHT = 250  # more with ?supporters=1: the wall's heading and its list of fixed height
# Measured in Chromium at 320, 390 and 640 px (the snippet's max-width) for every layout and option:
# tests/widgets/test_admin_iframe_height.py fails when the content outgrows the snippet.
# The script widget's height per layout (px, rounded up, at widths where its title fits one line), the same
# numbers as in embed.js: the snippet reserves it in the page before the script runs, so nothing below moves.
# "supporters" is added to the others: the wall is a list of fixed height under the card.
SCRIPT_HEIGHTS = {"full": 168, "compact": 128, "amounts": 250, "supporters": 240}


def script_height(options):
    base = SCRIPT_HEIGHTS["compact" if options.layout == "compact" else "amounts" if options.amounts else "full"]
    return base + (SCRIPT_HEIGHTS["supporters"] if options.supporters else 0)


def iframe_height(options):
    extra = (IFRAME_AMOUNTS_HEIGHT if options.amounts else 0) + (IFRAME_WALL_HEIGHT if options.supporters else 0)
    return IFRAME_HEIGHT + extra


# What could end the image's text or start a link, emphasis or code inside it.
MARKDOWN_SPECIAL = "\\`*_[]()!"


def markdown_escape(text):
    """Text for a Markdown image's alt text that renders as exactly these characters: HTML escaped (many
    renderers pass inline HTML through) and Markdown's special characters backslash-escaped."""
    return "".join(f"\\{c}" if c in MARKDOWN_SPECIAL else c for c in escape(text))


def embed_snippets(*, campaign, options):
    """What a publisher pastes, as plain text (the page escapes it for display)."""
    site, slug = settings.SITE_URL, campaign.slug
    query = options.query()
    suffix = f"?{query}" if query else ""
    title = escape(campaign.title)
    # The script is /w/<slug>.js: embed.js with the widget JSON baked in, one request and no fetch at load
    # (docs/widgets.md). The locale picks its JSON, so it goes in the URL; the other options stay attributes.
    data = "".join(f' data-{name}="{value}"' for name, value in options.changed() if name != "locale")
    script = f"{site}/w/{slug}.js" + (f"?locale={options.locale}" if options.locale else "")
    svg = f"{site}/w/{slug}.svg{suffix}"
    markdown_title = markdown_escape(campaign.title)
    return {
        "script": f'<div style="min-height:{script_height(options)}px">'
        f'<script async src="{script}"{data}></script>\n'
        f'<noscript><a href="{site}/c/{slug}/"><img src="{svg}" alt="{title}" width="480" '
        'style="max-width:100%;height:auto"></a></noscript></div>',
        "iframe": f'<iframe src="{site}/w/{slug}/{suffix}" title="{title}" width="100%" '
        f'height="{iframe_height(options)}" style="border:0;max-width:640px" loading="lazy"></iframe>',
        "markdown": f"[![{markdown_title}]({svg})]({site}/c/{slug}/)",
        "json": f"{site}/w/{slug}.json" + (f"?locale={options.locale}" if options.locale else ""),
    }


def preview_milestones(campaign, data):
    """The milestone rows of a submitted campaign form that read as amounts ({amount, label}), deleted ones
    and ones still being typed left out."""
    try:
        total = min(int(data.get("milestones-TOTAL_FORMS", 0)), PREVIEW_MILESTONES_MAX)
    except ValueError:
        return []
    rows = []
    for index in range(total):
        text = data.get(f"milestones-{index}-amount", "").strip()
        if not text or data.get(f"milestones-{index}-DELETE"):
            continue
        try:
            amount = goal_parse(campaign, text)
        except forms.ValidationError:
            continue
        rows.append({"amount": amount, "label": data.get(f"milestones-{index}-label", "")[:100]})
    return rows


def preview_svg(*, form, data, stored=None):
    """The bar as the campaign form now describes it (cleaned fields, else what is stored), over this month's
    stored figures when the campaign exists: SVG bytes, or the reason there is none yet (ValueError)."""
    cleaned = form.cleaned_data
    if "monthly_target" not in cleaned:
        raise ValueError(" ".join(strip_tags(str(e)) for e in form.errors.get("monthly_target", ["Type a target."])))
    base = stored or Campaign()
    fields = ("title", "slug", "currency", "locale", "time_zone", "goal_kind", "amount_pattern", "preset_amounts")
    campaign = Campaign(**{name: cleaned.get(name, getattr(base, name)) for name in fields})
    campaign.monthly_target = cleaned["monthly_target"]
    campaign.slug = campaign.slug or "preview"
    campaign.title = campaign.title or "Your campaign"
    start, end = period_bounds(campaign=campaign, when=timezone.now())
    period = (stored and Period.objects.filter(campaign=stored, start=start).first()) or Period(start=start, end=end)
    period.campaign, period.goal_kind, period.target = campaign, campaign.goal_kind, campaign.monthly_target
    period.milestones = preview_milestones(campaign, data)
    return svg_render(snapshot=snapshot_of(campaign=campaign, period=period))


class CampaignEmbedMixin:
    """Adds /admin/campaigns/campaign/<id>/embed/ to the campaign admin, scoped like its change page, and the
    campaign form's live preview of the bar (POST .../preview/ with the form as it stands)."""

    def get_urls(self):
        embed = path(
            "<path:object_id>/embed/",
            self.admin_site.admin_view(self.embed_view),
            name="campaigns_campaign_embed",
        )
        preview_new = path("preview/", self.admin_site.admin_view(self.preview_view), name="campaigns_campaign_preview")
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="campaigns_campaign_preview",
        )
        return [preview_new, embed, preview, *super().get_urls()]

    def preview_view(self, request, object_id=None):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        stored = None
        if object_id is not None:
            stored = self.get_object(request, unquote(object_id))  # another organisation's: 404
            if stored is None:
                raise Http404
        allowed = self.has_change_permission(request, stored) if stored else self.has_add_permission(request)
        if not allowed:
            raise PermissionDenied
        form = self.get_form(request, stored)(request.POST, instance=stored or Campaign())
        form.is_valid()  # the fields that read well are in cleaned_data; the page shows the others' errors
        try:
            body = preview_svg(form=form, data=request.POST, stored=stored)
        except ValueError as exc:
            return HttpResponse(str(exc), content_type="text/plain; charset=utf-8", status=422)
        return HttpResponse(body, content_type="image/svg+xml")  # admin_view adds no-store

    def embed_view(self, request, object_id):
        campaign = self.get_object(request, unquote(object_id))  # another organisation's: 404
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        error = ""
        try:
            options = options_parse(query=request.GET)
        except OptionError as exc:
            options, error = WidgetOptions(), str(exc)
        query = options.query()
        entry = snapshot_entry_get(slug=campaign.slug) if campaign.active else None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Embed “{campaign.title}”",
            "opts": self.model._meta,
            "original": campaign,
            "campaign": campaign,
            "options": options,
            "error": error,
            "themes": THEMES,
            "layouts": LAYOUTS,
            "suffix": f"?{query}" if query else "",
            "iframe_height": iframe_height(options),
            "snippets": embed_snippets(campaign=campaign, options=options),
            "json_preview": entry["renditions"]["json"][0].decode() if entry else "",
        }
        return TemplateResponse(request, "fundraising/widgets/embed_admin.html", context)


# The campaign admin gains its Embed page here, so campaigns never import widgets (layers go one way).
admin.site.unregister(Campaign)


@admin.register(Campaign)
class CampaignWithEmbedAdmin(CampaignEmbedMixin, CampaignAdmin):
    pass
