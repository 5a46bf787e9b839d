"""The headers of every /w/ response, defined once: the Django views and the WSGI fast path send them, and
tests/widgets/test_headers_nginx.py checks that deploy/nginx.conf sends the same for the files it serves."""

from django.conf import settings

CACHE_CONTROL = "public, max-age=30, stale-while-revalidate=60"
CONTENT_TYPES = {
    "json": "application/json",
    "svg": "image/svg+xml",
    "html": "text/html; charset=utf-8",
    "supporters": "application/json",  # /w/<slug>/supporters.json
    "js": "text/javascript; charset=utf-8",  # /w/<slug>.js: the JSON baked into embed.js
}
POLICIES = {
    "json": "default-src 'none'; frame-ancestors 'none'",
    "supporters": "default-src 'none'; frame-ancestors 'none'",
    "js": "default-src 'none'; frame-ancestors 'none'",  # a script runs under its host page's policy, not this
    "svg": "default-src 'none'; style-src 'unsafe-inline'; script-src 'none'",
    # The iframe page: any site may frame it; it runs no script and loads nothing else.
    "html": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors *",
}


def public_headers(fmt):
    """The headers every /w/ response carries, here and in the WSGI fast path."""
    return {
        "Cache-Control": CACHE_CONTROL,
        "Access-Control-Allow-Origin": "*",
        "Content-Security-Policy": POLICIES[fmt],
    }


def security_headers(fmt, secure):
    """What SecurityMiddleware, django-cors-headers and the clickjacking middleware add to a /w/ response."""
    headers = [("Vary", "origin")]
    if fmt != "html":  # only the iframe page is frameable
        headers.append(("X-Frame-Options", settings.X_FRAME_OPTIONS))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append(("Referrer-Policy", settings.SECURE_REFERRER_POLICY))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    if secure and settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        hsts += "; includeSubDomains" if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS else ""
        hsts += "; preload" if settings.SECURE_HSTS_PRELOAD else ""
        headers.append(("Strict-Transport-Security", hsts))
    return headers
