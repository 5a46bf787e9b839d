"""Stripe events and payment facts in the admin: read-only, superusers only (they span organisations);
unmatched payments also for the members of the campaign's organisation."""

from django.contrib import admin
from django.http import Http404

from fundraising.campaigns.selectors import campaigns_for_user, organizations_for_user
from fundraising.core.money import currency_is_known, format_money

from .models import PaymentState, Refund, StripeEvent, SubscriptionLink, UnmatchedPayment


class SuperuserReadOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(SuperuserReadOnlyAdmin):
    list_display = ["received_at", "type", "stripe_id", "processed_at", "attempts", "error"]
    list_filter = ["type", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["stripe_id", "type"]


@admin.register(PaymentState)
class PaymentStateAdmin(SuperuserReadOnlyAdmin):
    list_display = ["key", "charge_id", "invoice_id", "currency", "amount_refunded", "amount_disputed"]
    search_fields = ["key", "charge_id", "invoice_id"]


@admin.register(Refund)
class RefundAdmin(SuperuserReadOnlyAdmin):
    list_display = ["stripe_id", "payment_key", "amount", "currency", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["stripe_id", "payment_key", "charge_id"]


@admin.register(SubscriptionLink)
class SubscriptionLinkAdmin(SuperuserReadOnlyAdmin):
    list_display = ["subscription_id", "campaign", "checkout_session_id", "created_at"]
    search_fields = ["subscription_id", "checkout_session_id"]


@admin.register(UnmatchedPayment)
class UnmatchedPaymentAdmin(SuperuserReadOnlyAdmin):
    """Payments that named a campaign and did not count. Members see their campaigns' ones; those naming no
    known campaign (or an unlinked subscription) only superusers, since they belong to no organisation."""

    list_display = ["created_at", "stripe_id", "reason", "campaign_slug", "amount_display", "paid_at"]
    list_filter = ["reason"]
    search_fields = ["stripe_id", "campaign_slug", "subscription_id"]
    exclude = ["payload"]

    def has_module_permission(self, request):
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or organizations_for_user(user=user).exists())

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, row):
        """In the currency Stripe charged (e.g. 4.60 EUR for a USD campaign), not the campaign's."""
        if not currency_is_known(row.currency):
            return f"{row.amount} {row.currency}".strip()
        return format_money(row.amount, row.currency, trim=False)

    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("campaign")
        if request.user.is_superuser:
            return rows
        return rows.filter(campaign__in=campaigns_for_user(user=request.user))

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404("Not found")
        return found
