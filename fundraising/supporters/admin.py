"""Owners' view of supporters: e-mails sent (failures first), monthly gifts at risk, statement runs,
and per-supporter export, erasure and manage-link resend."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from fundraising.campaigns.admin import OrganizationScopedAdmin
from fundraising.campaigns.roles import NEEDS, VIEWER, organizations_with_role
from fundraising.campaigns.selectors import campaigns_for_user, organizations_for_user
from fundraising.payments.models import SubscriptionState

from . import links, privacy, statements
from .models import MonthlyGift, Notice, StatementRun, SupporterTools


def manage_link_unsent_warn(request, notice):
    """After the commit (in-process tasks have tried the send by then): when the mail failed, say so and give
    the owner the link to pass on. With a worker the send is still queued and the Notices list shows it."""

    def check():
        notice.refresh_from_db(fields=["status", "last_error"])
        if notice.status in (Notice.Status.RETRYING, Notice.Status.FAILED):
            url = links.manage_url(campaign=notice.campaign, email=notice.email)
            messages.warning(
                request,
                format_html(
                    "The manage link could not be e-mailed ({}). Send {} this link yourself: <code>{}</code>",
                    notice.last_error,
                    notice.email,
                    url,
                ),
            )

    transaction.on_commit(check)


def notices_for_user(*, user, role=VIEWER):
    return Notice.objects.filter(campaign__in=campaigns_for_user(user=user, role=role))


def monthly_gifts_for_user(*, user, role=VIEWER):
    return SubscriptionState.objects.filter(campaign__in=campaigns_for_user(user=user, role=role))


def may_send_email(request):
    """Viewers read; only a member who may send e-mails somewhere is offered the actions that send them."""
    return organizations_with_role(user=request.user, role=NEEDS["email_send"]).exists()


@admin.register(Notice)
class NoticeAdmin(OrganizationScopedAdmin):
    scope = staticmethod(notices_for_user)
    organization_field = "campaign__organization_id"
    list_display = ["created_at", "kind", "email", "campaign", "status", "attempts", "last_error_short"]
    list_filter = ["status", "kind"]
    search_fields = ["email", "key"]
    actions = ["send_again"]
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="last error")
    def last_error_short(self, notice):
        return notice.last_error[:80]

    def has_send_email_permission(self, request):
        return may_send_email(request)

    @admin.action(description="Send again", permissions=["send_email"])
    def send_again(self, request, queryset):
        from .notices import notice_resend
        from .tasks import notice_send

        queryset = self.rows_for(request, queryset, role=NEEDS["email_send"])  # a viewer's e-mail: 403
        for notice in queryset:
            notice_resend(notice_id=notice.pk)
            notice_send.delay_on_commit(str(notice.pk))
        self.message_user(request, f"{queryset.count()} e-mail(s) queued again.")


class AtRiskFilter(admin.SimpleListFilter):
    title = "at risk"
    parameter_name = "at_risk"

    def lookups(self, request, model_admin):
        return [("yes", "At risk (last payment failed)"), ("active", "Active")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(
                Q(status__in=SubscriptionState.AT_RISK_STATUSES) | Q(payment_failed_at__isnull=False)
            )
        if self.value() == "active":
            return queryset.filter(status__in=["active", "trialing", "past_due"])
        return queryset


@admin.register(MonthlyGift)
class MonthlyGiftAdmin(OrganizationScopedAdmin):
    scope = staticmethod(monthly_gifts_for_user)
    organization_field = "campaign__organization_id"
    # The supporter is the link (the subscription id is on the page and searchable): fits 1280 px.
    list_display = ["supporter", "campaign", "monthly", "standing", "risk"]
    list_display_links = ["supporter"]
    list_filter = [AtRiskFilter, "status", "cancel_at_period_end"]
    search_fields = ["subscription_id", "customer_id"]
    actions = ["send_manage_link"]
    readonly_fields = [f.name for f in SubscriptionState._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def supporter(self, state):
        from fundraising.ledger.models import Donation

        return (
            Donation.objects.filter(stripe_subscription_id=state.subscription_id)
            .exclude(donor_email="")
            .values_list("donor_email", flat=True)
            .first()
            or "—"
        )

    @admin.display(description="amount")
    def monthly(self, state):
        if not (state.campaign and state.amount):
            return "—"
        return f"{state.campaign.format(state.amount)} a {'year' if state.interval == 'year' else 'month'}"

    @admin.display(description="status", ordering="status")
    def standing(self, state):
        if state.status == "canceled":
            return "stopped"
        when = state.current_period_end.date().isoformat() if state.current_period_end else "?"
        return f"{state.status}, {'ends' if state.cancel_at_period_end else 'renews'} {when}"

    @admin.display(description="at risk")
    def risk(self, state):
        if state.at_risk or (state.payment_failed_at and state.status != "active"):
            return format_html(
                '<strong style="color:#b91c1c">payment failed {}</strong>',
                state.payment_failed_at.date().isoformat() if state.payment_failed_at else "",
            )
        if state.payment_failed_at:
            return f"recovered (failed {state.payment_failed_at.date().isoformat()})"
        return ""

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["recurring"] = recurring_totals(user=request.user)
        return super().changelist_view(request, extra_context)

    def has_send_email_permission(self, request):
        return may_send_email(request)

    @admin.action(description="E-mail the supporter a manage link", permissions=["send_email"])
    def send_manage_link(self, request, queryset):
        sent = limited = 0
        for state in self.rows_for(request, queryset, role=NEEDS["email_send"]).select_related("campaign"):
            email = self.supporter(state)
            if state.campaign and email != "—":
                queued = manage_link_send_limited(campaign=state.campaign, email=email)
                sent, limited = sent + bool(queued), limited + (queued is None)
                if queued:
                    manage_link_unsent_warn(request, queued)
        self.message_user(request, f"{sent} manage link(s) queued.")
        if limited:
            self.message_user(request, limited_message(limited), messages.WARNING)


def manage_link_send_limited(*, campaign, email):
    """A manage link from the admin, within the same limit per address as the public form (nobody's inbox
    is flooded from the admin either): the queued notice, False if the address gave nothing, None if limited."""
    from .views import manage_link_send

    if not links.link_request_allowed_for_address(organization_id=campaign.organization_id, email=email):
        return None
    return manage_link_send(campaign=campaign, email=email, limited=False) or False


def limited_message(count):
    return (
        f"{count} address(es) already got the most manage links allowed for now "
        "(MANAGE_LINK_RATE_LIMIT_ADDRESS): nothing more was sent to them. Try again later."
    )


def recurring_totals(*, user):
    """Per campaign: what active monthly gifts bring each month, as Stripe last confirmed them; yearly gifts as a
    twelfth (their sum floor-divided by 12 once, as the run-rate does: fundraising/ledger/breakdown.py)."""
    totals = {}
    active = monthly_gifts_for_user(user=user).filter(
        status__in=["active", "trialing", "past_due"],
        cancel_at_period_end=False,
    ).select_related("campaign")
    for state in active:
        entry = totals.setdefault(state.campaign.pk, [state.campaign, 0, 0, 0])
        entry[2 if state.interval == "year" else 1] += state.amount
        entry[3] += 1
    return [{"campaign": c, "amount": c.format(a + y // 12), "count": n} for c, a, y, n in totals.values()]


def owned(user, need="supporter_tools"):
    """Organisations where the user may send statements, export or erase supporters: owners."""
    return organizations_for_user(user=user, role=NEEDS[need])


class StatementRunForm(forms.ModelForm):
    """Nothing is mailed on one click: the first submit says how many supporters will get which year's
    statement (and warns when the year is not over); ticking "send them" confirms."""

    confirm = forms.BooleanField(required=False, label="Send them")

    class Meta:
        model = StatementRun
        fields = ["organization", "year", "confirm"]

    def clean(self):
        data = super().clean()
        organization, year = data.get("organization"), data.get("year")
        if organization is None or year is None or data.get("confirm"):
            return data
        recipients = statements.statement_recipients(organization=organization, year=year)
        keys = [f"statement:{organization.pk}:{year}:{email}" for email, _ in recipients]
        already = Notice.objects.filter(key__in=keys).count()
        message = f"This e-mails {len(recipients) - already} supporters of {organization.name} their {year} statement"
        message += f" ({already} already received theirs and get nothing more)." if already else "."
        if year >= timezone.localdate().year:
            message += f" {year} is not over: the statements list only the gifts made until today."
        raise forms.ValidationError(f"{message} Tick “Send them” to confirm.")


@admin.register(StatementRun)
class StatementRunAdmin(admin.ModelAdmin):
    form = StatementRunForm
    list_display = ["year", "organization", "progress", "created_at", "finished_at"]
    fields = ["organization", "year", "confirm"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organization__in=owned(request.user, "statements_send"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            kwargs["queryset"] = owned(request.user, "statements_send")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"year": timezone.now().year - 1}

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description="progress")
    def progress(self, run):
        if run.finished_at:
            sent = Notice.objects.filter(key__startswith=f"statement:{run.organization_id}:{run.year}:",
                                         status=Notice.Status.SENT).count()  # fmt: skip
            earlier = run.total - run.done
            return f"done: {run.done} queued by this run" + (f" ({earlier} had theirs already)" if earlier else "") + (
                f", {sent} sent for {run.year} in all"
            )
        if run.started_at:
            return f"{run.done} / {run.total}"
        return "waiting for a worker"

    def save_model(self, request, obj, form, change):
        from .tasks import statements_send

        obj.requested_by = request.user
        super().save_model(request, obj, form, change)
        statements_send.delay_on_commit(obj.pk)


@admin.register(SupporterTools)
class SupporterToolsAdmin(admin.ModelAdmin):
    """One page: an address and an organisation, then export (JSON), send a manage link, or erase."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [path("", self.admin_site.admin_view(self.tools_view), name="supporters_supportertools_changelist")]

    def tools_view(self, request):
        """admin_view sends it with Cache-Control: no-store (never_cache), like every admin page."""
        organizations = owned(request.user)
        if not organizations.exists():
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "title": "Supporters", "organizations": organizations,
                   "opts": self.model._meta}  # fmt: skip
        if request.method != "POST":
            return render(request, "admin/supporters/tools.html", context)
        email = privacy.address_exact(request.POST.get("email", ""))
        organization = organizations.filter(pk=request.POST.get("organization") or 0).first()
        back = reverse("admin:supporters_supportertools_changelist")
        if organization is None or not email:
            messages.error(request, "Choose an organisation and enter one complete e-mail address (name@example.org).")
            return HttpResponseRedirect(back)
        action = request.POST.get("action")
        if action == "export":
            data = privacy.supporter_export(organization=organization, email=email)
            response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
            response["Content-Disposition"] = 'attachment; filename="supporter-export.json"'
            return response
        if action == "link":
            self.link_send(request, organization, email)
        elif action == "erase" and privacy.address_exact(request.POST.get("confirm", "")) == email:
            self.erase(request, organization, email)
        elif action == "erase":
            messages.error(request, "To erase, type the address again in the confirmation box.")
        return HttpResponseRedirect(back)

    def link_send(self, request, organization, email):
        campaign = organization.campaigns.order_by("-active", "pk").first()
        queued = manage_link_send_limited(campaign=campaign, email=email) if campaign else False
        if queued is None:
            messages.warning(request, limited_message(1))
        else:
            messages.info(request, "Manage link queued." if queued else "No gift from that address: nothing sent.")
            if queued:
                manage_link_unsent_warn(request, queued)

    def erase(self, request, organization, email):
        try:
            result = privacy.supporter_erase(organization=organization, email=email)
        except privacy.ErasureRefused as exc:
            messages.error(request, str(exc))
            return
        summary = (
            f"Erased: {result['donations']} gift(s), {result['dedications']} dedication address(es), "
            f"{result['emails_sent']} e-mail record(s), "
            f"{result['stripe_events']} stored Stripe event(s). Amounts are kept."
        )
        messages.success(request, summary)
