"""Owners' admin for outgoing events: endpoints (scoped to their campaigns), a "send test event" button,
and the delivery log."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from fundraising.campaigns import roles
from fundraising.campaigns.admin import CampaignFilter, OrganizationScopedAdmin
from fundraising.campaigns.selectors import campaigns_for_user

from . import events
from .models import EVENT_TYPES, Delivery, Endpoint


def endpoints_for_user(*, user, role=roles.NEEDS["integrations"]):
    return Endpoint.objects.filter(campaign__in=campaigns_for_user(user=user, role=role))


def deliveries_for_user(*, user, role=roles.NEEDS["integrations"]):
    return Delivery.objects.filter(endpoint__in=endpoints_for_user(user=user, role=role))


class EndpointForm(forms.ModelForm):
    # Owners type URLs without a scheme; https is the only sensible guess (and Django 6's default).
    url = forms.URLField(assume_scheme="https", max_length=200, help_text=Endpoint._meta.get_field("url").help_text)
    events = forms.MultipleChoiceField(choices=EVENT_TYPES, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Endpoint
        fields = ["campaign", "url", "events", "include_donor_email", "active"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["created_at", "event_type", "status", "attempts", "last_status_code", "last_error", "delivered_at"]
    readonly_fields = fields
    ordering = ["-created_at"]


@admin.register(Endpoint)
class EndpointAdmin(OrganizationScopedAdmin):
    scope = staticmethod(endpoints_for_user)
    organization_field = "campaign__organization_id"
    # Events (donors' addresses among them) go to owners' URLs, signed with a secret only owners see: in an
    # organisation where the user is not an owner, its endpoints are neither listed nor offered.
    view_role = change_role = roles.NEEDS["integrations"]
    form = EndpointForm
    change_form_template = "admin/integrations/endpoint/change_form.html"
    list_display = ["url", "campaign", "event_list", "include_donor_email", "active"]
    list_filter = ["active", CampaignFilter]  # only campaigns whose endpoints the user may see
    readonly_fields = ["secret", "created_at"]

    @admin.display(description="Events")
    def event_list(self, endpoint):
        return ", ".join(endpoint.events)

    def get_fields(self, request, obj=None):
        fields = ["campaign", "url", "events", "include_donor_email", "active"]
        return fields + (["secret", "created_at"] if obj else [])

    def get_inlines(self, request, obj):
        return [DeliveryInline] if obj else []

    def get_deleted_objects(self, objs, request):
        """An owner deletes an endpoint with its delivery log (nobody edits or deletes deliveries one by one)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(Delivery._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def get_urls(self):
        send = path(
            "<path:object_id>/send-test/",
            self.admin_site.admin_view(self.send_test_view),
            name="integrations_endpoint_send_test",
        )
        return [send, *super().get_urls()]

    def send_test_view(self, request, object_id):
        endpoint = self.get_object(request, unquote(object_id))  # another organisation's: 404
        if request.method != "POST" or not self.has_change_permission(request, endpoint):
            raise PermissionDenied
        events.endpoint_test_send(endpoint=endpoint)
        messages.success(request, "Test event queued: its delivery appears below within seconds.")
        return HttpResponseRedirect(reverse("admin:integrations_endpoint_change", args=[endpoint.pk]))


@admin.register(Delivery)
class DeliveryAdmin(OrganizationScopedAdmin):
    scope = staticmethod(deliveries_for_user)
    organization_field = "endpoint__campaign__organization_id"
    view_role = change_role = roles.NEEDS["integrations"]  # payloads carry donors' addresses
    list_display = ["created_at", "event_type", "endpoint", "status", "attempts", "last_status_code", "delivered_at"]
    list_filter = ["status", "event_type"]
    readonly_fields = [
        "endpoint",
        "event_id",
        "event_type",
        "event_key",
        "payload",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "last_attempt_at",
        "delivered_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
