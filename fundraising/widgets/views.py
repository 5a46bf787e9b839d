"""The /w/ endpoints: serve the stored snapshot with validators and cache headers, never an aggregate.

No session, cookie or CSRF work happens here, so responses are the same for everyone and any
shared cache may keep them for max-age.
"""

from django.http import Http404, HttpResponse
from django.utils.http import parse_etags
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from .options import OptionError, options_parse
from .services import snapshot_entry_get, variant_get

CACHE_CONTROL = "public, max-age=30, stale-while-revalidate=60"
CONTENT_TYPES = {
    "json": "application/json",
    "svg": "image/svg+xml",
    "html": "text/html; charset=utf-8",
}
POLICIES = {
    "json": "default-src 'none'; frame-ancestors 'none'",
    "svg": "default-src 'none'; style-src 'unsafe-inline'; script-src 'none'",
    # The iframe page: any site may frame it; it runs no script and loads nothing else.
    "html": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors *",
}


def public_headers(response, fmt):
    response["Cache-Control"] = CACHE_CONTROL
    response["Access-Control-Allow-Origin"] = "*"
    response["Content-Security-Policy"] = POLICIES[fmt]
    return response


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
    body, etag = variant_get(slug=slug, entry=entry, fmt=fmt, options=options)
    match = request.headers.get("If-None-Match")
    if match and (match.strip() == "*" or etag in parse_etags(match) or f"W/{etag}" in parse_etags(match)):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["ETag"] = etag
    return public_headers(response, fmt)


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
