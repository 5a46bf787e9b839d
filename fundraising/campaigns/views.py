"""Public pages that belong to no other app."""

from django.shortcuts import render

from .models import Campaign


def index(request):
    campaigns = Campaign.objects.filter(active=True).order_by("title")
    return render(request, "fundraising/index.html", {"campaigns": campaigns})
