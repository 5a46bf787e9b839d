"""Public pages that belong to no other app."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .health import health_report
from .models import Campaign


def index(request):
    campaigns = Campaign.objects.filter(active=True).order_by("title")
    return render(request, "fundraising/index.html", {"campaigns": campaigns})


@never_cache
def healthz(request):
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
