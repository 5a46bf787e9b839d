"""The /w/ endpoints: serve the stored snapshot with validators and cache headers, never an aggregate.

No session, cookie or CSRF work happens here, so responses are the same for everyone and any
shared cache may keep them for max-age.
"""

from django.http import Http404, HttpResponse
from django.utils.http import parse_etags
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from .headers import CONTENT_TYPES, public_headers
from .options import OptionError, options_parse
from .poster import poster_render
from .services import SCRIPT_FORMAT, WALL_FORMAT, snapshot_entry_get, variant_get, wall_of


def etag_matches(header, etag):
    if not header:
        return False
    tags = parse_etags(header)
    return header.strip() == "*" or etag in tags or f"W/{etag}" in tags


def widget_response(request, slug, fmt):
    try:
        options = options_parse(query=request.GET)
    except OptionError as exc:
        response = HttpResponse(f"Bad widget option: {exc}\n", status=400, content_type="text/plain; charset=utf-8")
        response["Access-Control-Allow-Origin"] = "*"
        return response
    entry = snapshot_entry_get(slug=slug)
    if entry is None:
        raise Http404("No such campaign")
    if fmt == WALL_FORMAT and wall_of(entry) is None:
        raise Http404("This campaign shows no supporters wall")
    body, etag = variant_get(slug=slug, entry=entry, fmt=fmt, options=options)
    if etag_matches(request.headers.get("If-None-Match"), etag):
        response = HttpResponse(status=304, headers=public_headers(fmt))
    else:
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt], headers=public_headers(fmt))
    response["ETag"] = etag
    return response


@require_safe
def widget_json(request, slug):
    return widget_response(request, slug, "json")


@require_safe
def widget_svg(request, slug):
    return widget_response(request, slug, "svg")


@require_safe
@xframe_options_exempt
def widget_page(request, slug):
    return widget_response(request, slug, "html")


@require_safe
def widget_script(request, slug):
    """/w/<slug>.js: embed.js with the widget JSON baked in, so the host page draws without a fetch."""
    return widget_response(request, slug, SCRIPT_FORMAT)


@require_safe
def widget_supporters(request, slug):
    return widget_response(request, slug, WALL_FORMAT)


@require_safe
def campaign_poster(request, slug):
    """/c/<slug>/poster/: the printable poster, from the stored snapshot like every widget (no aggregate)."""
    entry = snapshot_entry_get(slug=slug)
    if entry is None:
        raise Http404("No such campaign")
    body = poster_render(entry=entry, paper=request.GET.get("paper", ""))
    return HttpResponse(body, headers={"Cache-Control": "public, max-age=60"})
