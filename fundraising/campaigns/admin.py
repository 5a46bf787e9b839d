"""Members' admin: each member sees only their own organisations' data and does what their role allows
there (fundraising/campaigns/roles.py: viewer reads, editor edits campaigns, owner manages the rest)."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from fundraising.core.palette import palette

from . import invitations, roles, selectors, services
from .dashboard import MONTHS_CHOICES, campaign_dashboard
from .models import Campaign, Invitation, Membership, Milestone, Organization, Period

BAR = palette()


# After "37 of 50" in the campaign list: the unit when the goal is not an amount raised.
UNIT_SUFFIX = {"supporters": " monthly supporters", "recurring": " per month"}


class OrganizationScopedAdmin(admin.ModelAdmin):
    """Limits every list, change page, export and foreign-key choice to the user's organisations."""

    scope = staticmethod(selectors.campaigns_for_user)
    organization_field = "organization_id"  # how an object names its organisation
    change_role = roles.EDITOR  # the role that may change an object (model permissions come from its group)

    def organization_of(self, obj):
        value = obj
        for part in self.organization_field.split("__"):
            value = getattr(value, part)
        return value

    def role_allows(self, request, obj, role):
        return obj is None or roles.role_at_least(
            user=request.user, organization_id=self.organization_of(obj), role=role
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.role_allows(request, obj, self.change_role)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.role_allows(request, obj, self.change_role)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=self.scope(user=request.user).values("pk"))

    def get_object(self, request, object_id, from_field=None):
        """Another organisation's object is simply not found: 404, not a redirect that confirms it exists."""
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404("Not found")
        return found

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":  # where the user may create things: where their role allows it
            mine = roles.organizations_with_role(user=request.user, role=self.change_role)
            kwargs["queryset"] = Organization.objects.filter(pk__in=mine)
        elif db_field.name == "campaign":
            kwargs["queryset"] = selectors.campaigns_for_user(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CampaignFilter(admin.SimpleListFilter):
    """"By campaign", listing only the campaigns of the user's organisations."""

    title = "campaign"
    parameter_name = "campaign__id__exact"

    def lookups(self, request, model_admin):
        return list(selectors.campaigns_for_user(user=request.user).order_by("title").values_list("pk", "title"))

    def queryset(self, request, queryset):
        return queryset.filter(campaign_id=self.value()) if self.value() else queryset


class RoleInline(admin.TabularInline):
    """An inline its parent's organisation role decides: `role` may add, change and delete rows."""

    role = roles.EDITOR

    def _allowed(self, request, obj):
        organization_id = getattr(obj, "organization_id", None) or getattr(obj, "pk", None)
        return obj is None or roles.role_at_least(user=request.user, organization_id=organization_id, role=self.role)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._allowed(request, obj)


class MembershipFormSet(forms.BaseInlineFormSet):
    """An organisation keeps at least one owner: the last one cannot demote or remove themselves (nobody
    could then manage members; `manage.py owner_add` is the way back from the shell)."""

    def clean(self):
        super().clean()
        owners = 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            removed = form.cleaned_data.get("DELETE")
            role = form.cleaned_data.get("role", getattr(form.instance, "role", None))
            owners += int(not removed and role == Membership.Role.OWNER)
        if self.forms and owners == 0:
            raise forms.ValidationError(
                "An organisation needs at least one owner: make another member an owner before you change "
                "or remove the last one."
            )


class MembershipInline(RoleInline):
    """Owners change roles and remove members; members join by invitation, never by picking a user."""

    model = Membership
    formset = MembershipFormSet
    role = roles.OWNER
    extra = 0
    fields = ["member", "role"]
    readonly_fields = ["member"]

    @admin.display(description="Member")
    def member(self, membership):
        return membership.user.email or membership.user.get_username()

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    scope = staticmethod(selectors.organizations_for_user)
    organization_field = "pk"
    change_role = roles.OWNER
    list_display = ["name", "created_at"]
    inlines = [MembershipInline]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def save_formset(self, request, form, formset, change):
        """Admin access follows a changed or removed membership at once."""
        touched = [f.instance.user for f in formset.initial_forms] if formset.model is Membership else []
        super().save_formset(request, form, formset, change)
        for user in touched:
            roles.member_access_sync(user=user)


@admin.register(Invitation)
class InvitationAdmin(OrganizationScopedAdmin):
    """Owners invite members by e-mail; the invitation mails a signed link that expires."""

    scope = staticmethod(selectors.organizations_for_user)
    change_role = roles.OWNER
    list_display = ["email", "organization", "role", "created_at", "accepted_at"]
    fields = ["organization", "email", "role"]

    def get_queryset(self, request):
        owned = roles.organizations_with_role(user=request.user, role=roles.OWNER)
        return Invitation.objects.filter(organization_id__in=owned).select_related("organization")

    def has_change_permission(self, request, obj=None):
        return False  # withdraw (delete) and invite again instead

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.role_allows(request, obj, roles.OWNER)

    def save_model(self, request, obj, form, change):
        obj.invited_by = request.user
        super().save_model(request, obj, form, change)
        transaction.on_commit(lambda: invitations.invitation_send(invitation=obj))


class MilestoneInline(RoleInline):
    model = Milestone
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(OrganizationScopedAdmin):
    """fundraising.widgets.admin extends this with the Embed page (widgets sit above campaigns)."""

    list_display = ["title", "slug", "this_month", "dashboard_link", "currency", "time_zone", "active"]
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
            period = Period(
                campaign=campaign, start=start, end=end, goal_kind=campaign.goal_kind, target=campaign.monthly_target
            )
        period.campaign = campaign
        current, target = period.goal_current, period.target
        percent = min(100, current * 100 // target) if target else 0
        return format_html(
            '<div role="progressbar" aria-label="{}: this month" '
            'aria-valuenow="{}" aria-valuemin="0" aria-valuemax="{}" '
            'aria-valuetext="{} of {}" style="width:12em;background:{};border-radius:4px">'
            '<div style="width:{}%;background:{};height:0.7em;border-radius:4px"></div></div>'
            "<small>{} of {}{} · {}</small>",
            campaign.title,
            current,
            target,
            period.format_goal(current),
            period.format_goal(target),
            BAR["track"],
            percent,
            BAR["accent"],
            period.format_goal(current),
            period.format_goal(target),
            UNIT_SUFFIX.get(period.goal_kind, ""),
            period.label,
        )

    @admin.display(description="History")
    def dashboard_link(self, campaign):
        return format_html(
            '<a href="{}">Dashboard</a>', reverse("admin:campaigns_campaign_dashboard", args=[campaign.pk])
        )

    def get_urls(self):
        dashboard = path(
            "<path:object_id>/dashboard/",
            self.admin_site.admin_view(self.dashboard_view),
            name="campaigns_campaign_dashboard",
        )
        return [dashboard, *super().get_urls()]

    def dashboard_view(self, request, object_id):
        """Are we going to make it this month, and how does it compare? Members of the campaign's organisation."""
        campaign = self.get_object(request, unquote(object_id))  # another organisation's: 404
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        months = 12 if request.GET.get("months") == "12" else 24
        context = {
            **self.admin_site.each_context(request),
            "title": f"“{campaign.title}”: the last {months} months",
            "opts": self.model._meta,
            "original": campaign,
            "dashboard": campaign_dashboard(campaign=campaign, months=months),
            "months": months,
            "months_choices": MONTHS_CHOICES,
        }
        return TemplateResponse(request, "admin/campaigns/campaign/dashboard.html", context)

    def save_model(self, request, obj, form, change):
        """Through campaign_update, like every other write of a campaign: the journal entry it writes moves
        or retires the widget once the admin's transaction (milestones too) commits."""
        old_slug = form.initial.get("slug", "") if change and "slug" in form.changed_data else ""
        services.campaign_update(campaign=obj, old_slug=old_slug)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.campaign_sync_open_period(campaign=form.instance)  # the milestones the inline just saved


@admin.register(Period)
class PeriodAdmin(OrganizationScopedAdmin):
    scope = staticmethod(selectors.periods_for_user)
    organization_field = "campaign__organization_id"
    list_display = ["campaign", "label", "raised_display", "target_display", "donors", "closed_at"]
    list_filter = [CampaignFilter]
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
