"""Owners' admin: each member sees and edits only their own organisation's data."""

from django.contrib import admin
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.html import format_html

from fundraising.core.palette import palette

from . import selectors, services
from .models import Campaign, Membership, Milestone, Organization, Period

BAR = palette()


class OrganizationScopedAdmin(admin.ModelAdmin):
    """Limits every list, change page, export and foreign-key choice to the user's organisations."""

    scope = staticmethod(selectors.campaigns_for_user)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=self.scope(user=request.user).values("pk"))

    def get_object(self, request, object_id, from_field=None):
        """Another organisation's object is simply not found: 404, not a redirect that confirms it exists."""
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404("Not found")
        return found

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            kwargs["queryset"] = selectors.organizations_for_user(user=request.user)
        elif db_field.name == "campaign":
            kwargs["queryset"] = selectors.campaigns_for_user(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    scope = staticmethod(selectors.organizations_for_user)
    list_display = ["name", "created_at"]
    inlines = [MembershipInline]

    def has_add_permission(self, request):
        return request.user.is_superuser


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(OrganizationScopedAdmin):
    """fundraising.widgets.admin extends this with the Embed page (widgets sit above campaigns)."""

    # Owners type webhook URLs without a scheme; https is the only sensible guess (and Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "slug", "this_month", "currency", "time_zone", "active"]
    list_filter = ["active", "currency"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [MilestoneInline]

    def get_queryset(self, request):
        # The list shows this month's period of each row: one prefetch of the open periods, so the
        # page runs a fixed number of queries and a GET never creates a period.
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match and match.url_name and match.url_name.endswith("_changelist"):
            open_periods = Period.objects.filter(closed_at__isnull=True).order_by("start")
            prefetch = models.Prefetch("periods", queryset=open_periods, to_attr="open_periods")
            queryset = queryset.prefetch_related(prefetch)
        return queryset

    @admin.display(description="This month")
    def this_month(self, campaign):
        start, end = services.period_bounds(campaign=campaign, when=timezone.now())
        period = next((p for p in getattr(campaign, "open_periods", ()) if p.start == start), None)
        if period is None:  # no gift yet this month: what its period will start with, without creating it
            period = Period(campaign=campaign, start=start, end=end, target=campaign.monthly_target)
        percent = min(100, period.raised * 100 // period.target) if period.target else 0
        return format_html(
            '<div role="progressbar" aria-label="{}: this month" '
            'aria-valuenow="{}" aria-valuemin="0" aria-valuemax="{}" '
            'aria-valuetext="{} of {}" style="width:12em;background:{};border-radius:4px">'
            '<div style="width:{}%;background:{};height:0.7em;border-radius:4px"></div></div>'
            "<small>{} of {} · {}</small>",
            campaign.title,
            period.raised,
            period.target,
            campaign.format(period.raised),
            campaign.format(period.target),
            BAR["track"],
            percent,
            BAR["accent"],
            campaign.format(period.raised),
            campaign.format(period.target),
            period.label,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.campaign_sync_open_period(campaign=form.instance)


@admin.register(Period)
class PeriodAdmin(OrganizationScopedAdmin):
    scope = staticmethod(selectors.periods_for_user)
    list_display = ["campaign", "label", "raised_display", "target_display", "donors", "closed_at"]
    list_filter = ["campaign"]
    readonly_fields = [f.name for f in Period._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Raised", ordering="raised")
    def raised_display(self, period):
        return period.campaign.format(period.raised)

    @admin.display(description="Target", ordering="target")
    def target_display(self, period):
        return period.campaign.format(period.target)
