"""The ledger in the owners' admin: donations, read-only, scoped to the user's organisations, with CSV export."""

import csv
import itertools

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone

from fundraising.campaigns import roles
from fundraising.campaigns.admin import CampaignFilter, OrganizationScopedAdmin

from . import selectors
from .models import Donation

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
    organization_field = "campaign__organization_id"
    change_list_template = "admin/ledger/donation/change_list.html"
    list_display = ["created_at", "campaign", "amount_display", "kind", "status", "display_name", "paid_at"]
    list_filter = ["status", "kind", CampaignFilter, ("period", admin.RelatedOnlyFieldListFilter)]
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
        export = path("export.csv", self.admin_site.admin_view(self.export_csv), name="ledger_donation_export")
        return [export, *super().get_urls()]

    def export_csv(self, request):
        """The donations the change list shows with the same filters and search, as CSV: owners only, and
        only their own organisations' donations (donor e-mails leave the app here)."""
        owned = roles.organizations_with_role(user=request.user, role=roles.OWNER)
        if not self.has_view_permission(request) or not owned.exists():
            raise PermissionDenied
        rows = self.get_changelist_instance(request).get_queryset(request)
        rows = rows.filter(campaign__organization_id__in=owned).values_list(*EXPORT_FIELDS)
        writer = csv.writer(Echo())
        rows = itertools.chain([EXPORT_FIELDS], rows.iterator())
        lines = (writer.writerow([csv_safe(value) for value in row]) for row in rows)
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        return StreamingHttpResponse(
            lines,
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="donations-{stamp}.csv"'},
        )
