"""Owners' admin: each member sees and edits only their own organisation's data."""

import csv
import itertools

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from fundraising.widgets.admin import CampaignEmbedMixin

from . import selectors, services
from .models import Campaign, Donation, Membership, Milestone, Organization, Period


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
class CampaignAdmin(CampaignEmbedMixin, OrganizationScopedAdmin):
    # Owners type webhook URLs without a scheme; https is the only sensible guess (and Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "slug", "this_month", "currency", "time_zone", "active"]
    list_filter = ["active", "currency"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [MilestoneInline]

    @admin.display(description="This month")
    def this_month(self, campaign):
        period = services.period_for(campaign=campaign)
        percent = min(100, period.raised * 100 // period.target) if period.target else 0
        return format_html(
            '<div role="progressbar" aria-valuenow="{}" aria-valuemin="0" aria-valuemax="{}" '
            'aria-valuetext="{} of {}" style="width:12em;background:#e5e7eb;border-radius:4px">'
            '<div style="width:{}%;background:#16a34a;height:0.7em;border-radius:4px"></div></div>'
            "<small>{} of {} · {}</small>",
            period.raised,
            period.target,
            campaign.format(period.raised),
            campaign.format(period.target),
            percent,
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


EXPORT_FIELDS = [
    "id",
    "campaign__slug",
    "period__start",
    "kind",
    "status",
    "amount",
    "amount_refunded",
    "amount_disputed",
    "dispute_status",
    "currency",
    "public_name",
    "anonymous",
    "donor_email",
    "message",
    "paid_at",
    "stripe_checkout_session_id",
    "stripe_payment_intent_id",
    "stripe_subscription_id",
    "stripe_invoice_id",
    "created_at",
]


class Echo:
    def write(self, value):
        return value


def csv_safe(value):
    """Donor text must not run as a formula when the owner opens the file in a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@admin.register(Donation)
class DonationAdmin(OrganizationScopedAdmin):
    scope = staticmethod(selectors.donations_for_user)
    change_list_template = "admin/campaigns/donation/change_list.html"
    list_display = ["created_at", "campaign", "amount_display", "kind", "status", "display_name", "paid_at"]
    list_filter = ["status", "kind", "campaign", ("period", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "public_name",
        "donor_email",
        "stripe_checkout_session_id",
        "stripe_payment_intent_id",
        "stripe_subscription_id",
        "stripe_invoice_id",
        "stripe_charge_id",
    ]
    date_hierarchy = "created_at"
    readonly_fields = [
        "id",
        "campaign",
        "period",
        "amount",
        "currency",
        "kind",
        "status",
        "amount_refunded",
        "amount_disputed",
        "dispute_status",
        "stripe_checkout_session_id",
        "stripe_payment_intent_id",
        "stripe_charge_id",
        "stripe_subscription_id",
        "stripe_invoice_id",
        "subscription_ended_at",
        "paid_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, donation):
        return donation.campaign.format(donation.amount)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("campaign", "period")

    def get_urls(self):
        export = path("export.csv", self.admin_site.admin_view(self.export_csv), name="campaigns_donation_export")
        return [export, *super().get_urls()]

    def export_csv(self, request):
        """The donations the change list shows with the same filters and search, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = self.get_changelist_instance(request).get_queryset(request).values_list(*EXPORT_FIELDS)
        writer = csv.writer(Echo())
        rows = itertools.chain([EXPORT_FIELDS], rows.iterator())
        lines = (writer.writerow([csv_safe(value) for value in row]) for row in rows)
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        return StreamingHttpResponse(
            lines,
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="donations-{stamp}.csv"'},
        )
