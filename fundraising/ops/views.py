"""/healthz for monitoring (status only) and operators (details: superusers, or the HEALTHZ_TOKEN); the demo's
mailbox (DEBUG only). Load balancers probe /livez and /readyz (fundraising/ops/probes.py): they are about one node."""

import secrets

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .health import health_report, health_status
from .mailbox import mailbox_list, mailbox_message


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


def _debug_only():
    if not settings.DEBUG:  # the messages hold manage links: never on a real site
        raise Http404("The mailbox is part of the demo (DEBUG only)")


@never_cache
@require_http_methods(["GET", "HEAD"])
def mailbox(request):
    _debug_only()
    return render(request, "fundraising/mailbox.html", {"messages_shown": mailbox_list()})


@never_cache
@require_http_methods(["GET", "HEAD"])
def mailbox_read(request, name):
    _debug_only()
    message = mailbox_message(name=name)
    if message is None:
        raise Http404("No such message")
    return render(request, "fundraising/mailbox_message.html", {"message": message})
