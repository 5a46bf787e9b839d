"""The owners' "Embed" page of a campaign: live previews and copy-ready snippets with options."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import escape

from fundraising.campaigns.admin import CampaignAdmin
from fundraising.campaigns.models import Campaign

from .options import LAYOUTS, THEMES, OptionError, WidgetOptions, options_parse
from .services import snapshot_entry_get

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


class CampaignEmbedMixin:
    """Adds /admin/campaigns/campaign/<id>/embed/ to the campaign admin, scoped like its change page."""

    def get_urls(self):
        embed = path(
            "<path:object_id>/embed/",
            self.admin_site.admin_view(self.embed_view),
            name="campaigns_campaign_embed",
        )
        return [embed, *super().get_urls()]

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
