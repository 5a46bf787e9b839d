"""The ledger in the owners' admin: donations scoped to the user's organisations, with CSV export.

Rows are never edited or deleted here. Owners and editors append offline gifts (bank transfer, cheque,
cash) and reverse them with a reversing entry; each entry shows who typed it in and when."""

import csv
import itertools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BigIntegerField, Case, F, When
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from fundraising.campaigns import roles
from fundraising.campaigns.admin import CampaignFilter, OrganizationScopedAdmin, money_question

from . import offline, selectors
from .models import Donation
from .services import donation_messages_hide, donation_names_hide

EXPORT_FIELDS = [
    "id",
    "campaign__slug",
    "period__start",
    "kind",
    "status",
    "amount",
    "fee_cover",  # the part of amount that covered card fees (docs/owners.md#cover-the-fees)
    "fee_cover_counted",
    "amount_refunded",
    "amount_disputed",
    "dispute_status",
    "currency",
    "public_name",
    "anonymous",
    "donor_email",
    "message",
    "tribute_kind",
    "tribute_name",
    "tribute_on_wall",
    "tribute_notify_email",
    "tribute_notify_amount",
    "paid_at",
    "source",
    "method",
    "reverses_id",
    "reversed_by",
    "recorded_by__username",
    "note",
    "stripe_checkout_session_id",
    "stripe_payment_intent_id",
    "stripe_subscription_id",
    "stripe_invoice_id",
    "created_at",
]


# Columns read from another expression than their name: a reversal's amount is counted negative (so the
# column sums to what the ledger counts), and a reversed gift names the entry that reversed it.
EXPORT_SOURCES = {"amount": "signed_amount", "reversed_by": "reversed_by__id"}


def signed_amount():
    return Case(When(reverses__isnull=False, then=-F("amount")), default=F("amount"), output_field=BigIntegerField())


class Echo:
    def write(self, value):
        return value


def csv_safe(value):
    """Donor text must not run as a formula when the owner opens the file in a spreadsheet."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


class OfflineGiftForm(forms.Form):
    """What a member types for a gift received outside Stripe; offline.offline_gift_clean validates it."""

    campaign = forms.ModelChoiceField(queryset=None)
    amount = forms.CharField(max_length=40, help_text="In the campaign's currency, as you would write it: 25 or 25.50.")
    date = forms.CharField(
        max_length=10,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the money arrived, in the campaign's time zone (empty: today).",
    )
    method = forms.ChoiceField(choices=[c for c in Donation.Method.choices if c[0]])
    kind = forms.ChoiceField(choices=Donation.Kind.choices, initial=Donation.Kind.ONE_TIME)
    name = forms.CharField(max_length=100, required=False, help_text="Public name (empty: anonymous).")
    email = forms.CharField(max_length=254, required=False, label="E-mail", help_text="Never shown publicly.")
    anonymous = forms.BooleanField(required=False, help_text="Keep the name off public lists.")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=1000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        campaigns = selectors.campaigns_recordable_by(user=user).order_by("title")
        self.fields["campaign"].queryset = campaigns
        only = list(campaigns[:2])
        if len(only) == 1:  # nothing to choose: the member's one campaign is the answer
            self.fields["campaign"].initial = only[0].pk

    def clean(self):
        data = super().clean()
        if "campaign" not in data:
            return data
        fields = ("amount", "date", "method", "name", "email", "note")
        try:
            data.update(offline.offline_gift_clean(campaign=data["campaign"], **{f: data.get(f, "") for f in fields}))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field, (field == "amount" and self.amount_question(data)) or errors)
        return data

    @staticmethod
    def amount_question(data):
        """The amount's error with the admin's one-click answer when it asks "Did you mean ...?"."""
        campaign, typed = data["campaign"], str(data.get("amount", ""))
        question = offline.amount_question(campaign=campaign, text=typed)
        return money_question(campaign, question, typed) if question else ""


class ReversalForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=1000, help_text="Why it is reversed."
    )


@admin.register(Donation)
class DonationAdmin(OrganizationScopedAdmin):
    scope = staticmethod(selectors.donations_for_user)
    organization_field = "campaign__organization_id"
    change_list_template = "admin/ledger/donation/change_list.html"
    change_form_template = "admin/ledger/donation/change_form.html"
    # Fits 1280 px beside the admin's two sidebars (tests/campaigns/test_admin_fit.py): when the gift was paid
    # (what counts and what the dates drill into) in a short form; created_at is on the gift's page.
    list_display = ["paid", "campaign", "amount_display", "kind", "status_display", "entry", "display_name"]
    list_filter = [
        "status", "kind", "source", "message_hidden", CampaignFilter, ("period", admin.RelatedOnlyFieldListFilter)
    ]  # fmt: skip
    actions = ["message_hide", "message_show", "name_hide", "name_show"]
    search_fields = [
        "public_name",
        "donor_email",
        "stripe_checkout_session_id",
        "stripe_payment_intent_id",
        "stripe_subscription_id",
        "stripe_invoice_id",
        "stripe_charge_id",
    ]
    date_hierarchy = "paid_at"  # when a gift counted: history loaded in one day still spreads over its months
    readonly_fields = [
        "id",
        "campaign",
        "period",
        "amount",
        "fee_cover",
        "fee_cover_counted",
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
        "source",
        "method",
        "note",
        "message_hidden",
        "name_hidden",
        "recorded_by",
        "reverses",
        "reversed_by",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="paid", ordering="paid_at")
    def paid(self, donation):
        return timezone.localtime(donation.paid_at).strftime("%Y-%m-%d %H:%M") if donation.paid_at else "—"

    def has_add_permission(self, request):
        return False

    def has_hide_message_permission(self, request):
        """Owners and editors take messages off the supporters wall; viewers only read."""
        return roles.organizations_with_role(user=request.user, role=roles.NEEDS["message_hide"]).exists()

    def _messages_hide(self, request, queryset, hidden, service=donation_messages_hide, what="message(s)"):
        allowed = self.rows_for(request, queryset, role=roles.NEEDS["message_hide"])  # a viewer's row: 403
        changed = service(donations=list(allowed.select_related(None).only("pk")), hidden=hidden)
        verb = "hidden from" if hidden else "shown again on"
        self.message_user(request, f"{changed} {what} {verb} the supporters wall.", messages.SUCCESS)

    @admin.action(description="Hide the message on the supporters wall", permissions=["hide_message"])
    def message_hide(self, request, queryset):
        self._messages_hide(request, queryset, True)

    @admin.action(description="Show the message on the supporters wall again", permissions=["hide_message"])
    def message_show(self, request, queryset):
        self._messages_hide(request, queryset, False)

    @admin.action(description="Hide the name on the supporters wall", permissions=["hide_message"])
    def name_hide(self, request, queryset):
        self._messages_hide(request, queryset, True, service=donation_names_hide, what="name(s)")

    @admin.action(description="Show the name on the supporters wall again", permissions=["hide_message"])
    def name_show(self, request, queryset):
        self._messages_hide(request, queryset, False, service=donation_names_hide, what="name(s)")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, donation):
        return donation.campaign.format(donation.amount)

    @admin.display(description="Status", ordering="status")
    def status_display(self, donation):
        """A gift an offline reversal took back keeps its stored status (the ledger is append-only): say so."""
        if getattr(donation, "reversal_id", None):
            return f"{donation.get_status_display()}, reversed"
        return donation.get_status_display()

    @admin.display(description="Entry")
    def entry(self, donation):
        """Where the row came from; an offline one says who typed it in."""
        if donation.source == Donation.Source.STRIPE:
            return "Stripe"
        who = donation.recorded_by.get_username() if donation.recorded_by else "command line"
        what = "Reversal" if donation.reverses_id else donation.get_method_display()
        return f"{what} · by {who}"

    @admin.display(description="Reversed by")
    def reversed_by(self, donation):
        reversal = Donation.objects.filter(reverses=donation).select_related("recorded_by").first()
        if reversal is None:
            return "—"
        url = reverse("admin:ledger_donation_change", args=[reversal.pk])
        who = reversal.recorded_by.get_username() if reversal.recorded_by else "command line"
        return format_html('<a href="{}">{}</a> by {} on {:%Y-%m-%d %H:%M}', url, reversal.pk, who, reversal.created_at)

    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("campaign", "period", "recorded_by")
        return rows.annotate(reversal_id=F("reversed_by__id"))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("export.csv", view(self.export_csv), name="ledger_donation_export"),
            path("offline/", view(self.offline_view), name="ledger_donation_offline"),
            path("<path:object_id>/reverse/", view(self.reverse_view), name="ledger_donation_reverse"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        donation = self.get_object(request, unquote(object_id))
        reversible = (
            donation.source == Donation.Source.OFFLINE
            and donation.reverses_id is None
            and not Donation.objects.filter(reverses=donation).exists()
            and offline.member_can_record(user=request.user, campaign=donation.campaign)
        )
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "reversible": reversible})

    def offline_view(self, request):
        """Record a gift received outside Stripe; the member must own or edit the campaign."""
        if not selectors.campaigns_recordable_by(user=request.user).exists():
            raise PermissionDenied
        form = OfflineGiftForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            entry = offline.offline_gift_record(
                campaign=data["campaign"],
                amount=data["amount"],
                received_on=data["received_on"],
                method=data["method"],
                kind=data["kind"],
                name=data["name"],
                email=data["email"],
                anonymous=data["anonymous"],
                note=data["note"],
                recorded_by=request.user,
            )
            self._say_recorded(request, entry, "Recorded")
            return HttpResponseRedirect(reverse("admin:ledger_donation_change", args=[entry.donation.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Record an offline gift",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/ledger/donation/offline_form.html", context)

    def reverse_view(self, request, object_id):
        """Append the reversing entry of an offline gift (after a confirmation page)."""
        donation = self.get_object(request, unquote(object_id))  # another organisation's: 404
        if not offline.member_can_record(user=request.user, campaign=donation.campaign):
            raise PermissionDenied
        form = ReversalForm(request.POST or None)
        error = ""
        if request.method == "POST" and form.is_valid():
            try:
                entry = offline.offline_gift_reverse(
                    donation=donation, recorded_by=request.user, note=form.cleaned_data["note"]
                )
            except offline.OfflineGiftError as exc:
                error = str(exc)
            else:
                self._say_recorded(request, entry, "Reversed")
                return HttpResponseRedirect(reverse("admin:ledger_donation_change", args=[entry.donation.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reverse the offline gift of {donation.campaign.format(donation.amount)}",
            "opts": self.model._meta,
            "original": donation,
            "form": form,
            "error": error,
        }
        return TemplateResponse(request, "admin/ledger/donation/reverse_confirm.html", context)

    def _say_recorded(self, request, entry, verb):
        amount = entry.donation.campaign.format(entry.donation.amount)
        messages.success(request, f"{verb}: {amount}, counted in {entry.period.label}.")
        if entry.closed_month:
            messages.warning(
                request, f"{entry.period.label} had already closed: its figures are updated with this entry."
            )

    def export_csv(self, request):
        """The donations the change list shows with the same filters and search, as CSV: owners only, and
        only their own organisations' donations (donor e-mails leave the app here)."""
        owned = roles.organizations_with_role(user=request.user, role=roles.NEEDS["donations_export"])
        if not self.has_view_permission(request) or not owned.exists():
            raise PermissionDenied
        rows = self.get_changelist_instance(request).get_queryset(request)
        rows = rows.filter(campaign__organization_id__in=owned).annotate(signed_amount=signed_amount())
        rows = rows.values_list(*[EXPORT_SOURCES.get(name, name) for name in EXPORT_FIELDS])
        writer = csv.writer(Echo())
        rows = itertools.chain([EXPORT_FIELDS], rows.iterator())
        lines = (writer.writerow([csv_safe(value) for value in row]) for row in rows)
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        return StreamingHttpResponse(
            lines,
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="donations-{stamp}.csv"'},
        )
