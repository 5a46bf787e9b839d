"""/healthz for monitoring (status only) and operators (details: superusers, or the HEALTHZ_TOKEN).
Load balancers probe /livez and /readyz (fundraising/ops/probes.py) instead: they are about one node."""

import secrets

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .health import health_report, health_status


def may_see_details(request):
    """Superusers signed in to the admin (every organisation member is staff: not them), or a caller with
    `Authorization: Bearer <HEALTHZ_TOKEN>`."""
    if request.user.is_authenticated and request.user.is_superuser:
        return True
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return bool(settings.HEALTHZ_TOKEN) and scheme.lower() == "bearer" and secrets.compare_digest(
        token.strip().encode(), settings.HEALTHZ_TOKEN.encode()
    )


@never_cache
def healthz(request):
    if not may_see_details(request):  # dependency errors name hosts, ports and roles: operators only
        healthy = health_status()
        return JsonResponse({"status": "ok" if healthy else "fail"}, status=200 if healthy else 503)
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
