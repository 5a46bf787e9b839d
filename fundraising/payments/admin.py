"""Stripe events and payment facts in the admin: read-only, superusers only (they span organisations)."""

from django.contrib import admin

from .models import PaymentState, StripeEvent


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
    list_display = ["key", "charge_id", "invoice_id", "amount_refunded", "amount_disputed", "dispute_status"]
    search_fields = ["key", "charge_id", "invoice_id"]
