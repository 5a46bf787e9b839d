"""Members' admin: each member sees only their own organisations' data and does what their role allows
there (fundraising/campaigns/roles.py: viewer reads, editor edits campaigns, owner manages the rest)."""

import re
import zoneinfo

from babel import Locale
from babel.numbers import get_currency_name, get_decimal_symbol, get_group_symbol
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html

from fundraising.core import money
from fundraising.core.palette import palette

from . import fees, invitations, roles, selectors, services
from .dashboard import MONTHS_CHOICES, campaign_dashboard
from .models import (
    Campaign,
    FeeRate,
    GoalKind,
    Invitation,
    Membership,
    Milestone,
    Organization,
    Period,
    validate_amount_pattern,
)

BAR = palette()


# After "37 of 50" in the campaign list: the unit when the goal is not an amount raised.
UNIT_SUFFIX = {"supporters": " monthly supporters", "recurring": " per month"}


class OrganizationScopedAdmin(admin.ModelAdmin):
    """Limits every list, change page, action and foreign-key choice to the organisations where the user
    holds the role it needs (roles.NEEDS): `view_role` to see a row, `change_role` to change, delete or
    create one. `scope(user=, role=)` is the selector of the model's rows."""

    scope = staticmethod(selectors.campaigns_for_user)
    organization_field = "organization_id"  # how an object names its organisation
    view_role = roles.NEEDS["read"]
    change_role = roles.NEEDS["campaign_edit"]  # model permissions come from the user's highest role's group

    def organization_of(self, obj):
        value = obj
        for part in self.organization_field.split("__"):
            value = getattr(value, part)
        return value

    def role_allows(self, request, obj, role):
        return obj is None or roles.role_at_least(
            user=request.user, organization_id=self.organization_of(obj), role=role
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.role_allows(request, obj, self.view_role)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.role_allows(request, obj, self.change_role)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.role_allows(request, obj, self.change_role)

    def get_queryset(self, request):
        mine = self.scope(user=request.user, role=self.view_role).values("pk")
        return super().get_queryset(request).filter(pk__in=mine)

    def rows_for(self, request, queryset, *, role):
        """The selected rows an action may touch: all of them, or PermissionDenied when one belongs to an
        organisation where the user's role is below `role` (nothing is done to any)."""
        allowed = queryset.filter(pk__in=self.scope(user=request.user, role=role).values("pk"))
        if allowed.count() < queryset.count():
            raise PermissionDenied
        return allowed

    def get_object(self, request, object_id, from_field=None):
        """Another organisation's object is simply not found: 404, not a redirect that confirms it exists."""
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404("Not found")
        return found

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Where the user may create things: where their role allows changing them.
        if db_field.name == "organization":
            kwargs["queryset"] = selectors.organizations_for_user(user=request.user, role=self.change_role)
        elif db_field.name == "campaign":
            kwargs["queryset"] = selectors.campaigns_for_user(user=request.user, role=self.change_role)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CampaignFilter(admin.SimpleListFilter):
    """"By campaign", listing only the campaigns of the user's organisations."""

    title = "campaign"
    parameter_name = "campaign__id__exact"

    def lookups(self, request, model_admin):
        campaigns = selectors.campaigns_for_user(user=request.user, role=model_admin.view_role)
        return list(campaigns.order_by("title").values_list("pk", "title"))

    def queryset(self, request, queryset):
        return queryset.filter(campaign_id=self.value()) if self.value() else queryset


class RoleInline(admin.TabularInline):
    """An inline its parent's organisation role decides: `role` may add, change and delete rows."""

    role = roles.NEEDS["campaign_edit"]

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
    role = roles.NEEDS["members_manage"]
    extra = 0
    fields = ["member", "role"]
    readonly_fields = ["member"]

    @admin.display(description="Member")
    def member(self, membership):
        return membership.user.email or membership.user.get_username()

    def has_add_permission(self, request, obj=None):
        return False


class FeeRateForm(forms.ModelForm):
    """A card fee as owners read it: "2.9" (percent) and "0.30" (the currency's units), stored exactly as basis
    points and minor units (fundraising/campaigns/fees.py)."""

    percent = forms.CharField(label="Percentage", help_text="e.g. 2.9 for 2.9 %", max_length=8)
    fixed_shown = forms.CharField(
        label="Fixed part", required=False, max_length=20, help_text="In the currency's units, e.g. 0.30"
    )

    class Meta:
        model = FeeRate
        fields = ["currency"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"] = forms.ChoiceField(choices=[("", "---------"), *CURRENCY_CHOICES])
        fee = self.instance
        if fee.pk is not None:
            self.initial["percent"] = fees.percent_typed(fee.percent_bp)
            self.initial["fixed_shown"] = money.money_plain(fee.fixed, fee.currency) if fee.fixed else ""

    def clean_percent(self):
        try:
            return fees.percent_read(self.cleaned_data["percent"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        cleaned = super().clean()
        currency, text = cleaned.get("currency"), (cleaned.get("fixed_shown") or "").strip()
        if currency and text:
            try:
                cleaned["fixed"] = money.parse_money(text, currency)
            except money.MoneyError as exc:
                self.add_error("fixed_shown", str(exc))
        else:
            cleaned["fixed"] = 0
        return cleaned

    def save(self, commit=True):
        self.instance.percent_bp = self.cleaned_data["percent"]
        self.instance.fixed = self.cleaned_data["fixed"]
        return super().save(commit)


class FeeRateInline(RoleInline):
    """The organisation's card fees: owners set them (what a donor adds to cover the fees is computed from them);
    editors and viewers read them. A currency without a row uses the default shown above the table."""

    model = FeeRate
    form = FeeRateForm
    role = roles.NEEDS["members_manage"]
    extra = 0
    verbose_name_plural = "card fees (cover the fees)"

    def get_fields(self, request, obj=None):
        if obj is not None and not self._allowed(request, obj):
            return ["currency", "rate_shown"]
        return ["currency", "percent", "fixed_shown"]

    def get_readonly_fields(self, request, obj=None):
        return ["rate_shown"] if obj is not None and not self._allowed(request, obj) else []

    @admin.display(description="Fee")
    def rate_shown(self, fee):
        return fees.fee_text(fee=fees.fee_for(organization_id=fee.organization_id, currency=fee.currency))


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    scope = staticmethod(selectors.organizations_for_user)
    organization_field = "pk"
    change_role = roles.NEEDS["members_manage"]
    list_display = ["name", "created_at"]
    inlines = [MembershipInline, FeeRateInline]
    readonly_fields = ["card_fees_default"]

    @admin.display(description="Card fees by default")
    def card_fees_default(self, organization):
        """What each of the organisation's currencies costs until an owner enters its own rate below."""
        return fees.fee_defaults_text(organization=organization)

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

    scope = staticmethod(selectors.invitations_for_user)
    view_role = change_role = roles.NEEDS["members_manage"]
    list_display = ["email", "organization", "role", "created_at", "accepted_at"]
    fields = ["organization", "email", "role"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization")

    def has_change_permission(self, request, obj=None):
        return False  # withdraw (delete) and invite again instead

    def save_model(self, request, obj, form, change):
        obj.invited_by = request.user
        super().save_model(request, obj, form, change)
        transaction.on_commit(lambda: self.invitation_mail(request, obj))

    def invitation_mail(self, request, invitation):
        """Mail the link; when that fails the invitation is kept and the owner gets the link to pass on."""
        error = invitations.invitation_send(invitation=invitation)
        if error:
            messages.warning(
                request,
                format_html(
                    "The invitation is saved, but its e-mail could not be sent ({}). Send {} this link yourself: "
                    "<code>{}</code>",
                    error,
                    invitation.email,
                    invitations.invitation_url(invitation),
                ),
            )


# The currencies Stripe Checkout takes that owners are likely to want, stored lower case like the model.
CHECKOUT_CURRENCIES = [
    "usd", "eur", "gbp", "chf", "cad", "aud", "nzd", "jpy", "sek", "nok", "dkk", "isk", "pln", "czk",
    "huf", "ron", "bgn", "try", "ils", "aed", "sgd", "hkd", "krw", "twd", "thb", "myr", "php", "idr",
    "inr", "mxn", "brl", "clp", "cop", "zar", "kwd", "bhd", "jod", "omr",
]  # fmt: skip
# Regional locales of the languages the app speaks (settings.LANGUAGES): they decide how money reads.
OFFERED_LOCALES = [
    "en_US", "en_GB", "en_CA", "en_AU", "en_NZ", "en_IE", "fr_FR", "fr_BE", "fr_CA", "fr_CH",
    "de_DE", "de_AT", "de_CH", "es_ES", "es_MX", "es_AR", "es_CO", "es_US",
]  # fmt: skip
CURRENCY_CHOICES = [
    (code, f"{code.upper()} — {get_currency_name(code.upper(), locale='en')}") for code in CHECKOUT_CURRENCIES
]
LOCALE_CHOICES = [(code, f"{code} — {Locale.parse(code).get_display_name('en')}") for code in OFFERED_LOCALES]
TIME_ZONE_CHOICES = [(zone, zone) for zone in sorted(zoneinfo.available_timezones())]
MONEY_HELP = "In the campaign's currency, e.g. 5000 (or 12.50)."


def goal_shown(campaign, value, money_only=False):
    """A stored value as an owner types it: major units the locale's way ("5000", "12,50"), or a count."""
    if campaign.goal_kind == GoalKind.SUPPORTERS and not money_only:
        return str(value)
    return money.money_plain(value, campaign.currency, campaign.locale)


def money_question(campaign, exc, text):
    """A MoneyError for a form: with a one-click answer when it asks "Did you mean ...?"."""
    if exc.suggestion is None:
        return str(exc)
    return money.suggestion_choice(exc, text, money.money_typed(exc.suggestion, campaign.currency, campaign.locale))


def goal_parse(campaign, text, money_only=False):
    """What an owner typed into the stored value: minor units (money.parse_money), or a count of supporters."""
    if campaign.goal_kind == GoalKind.SUPPORTERS and not money_only:
        digits = re.sub(r"\s", "", text).replace(get_group_symbol(campaign.locale), "")
        if not digits.isdigit() or int(digits) == 0:
            raise forms.ValidationError("Enter a whole number of supporters, like 50.")
        return int(digits)
    try:
        return campaign.parse(text)
    except money.MoneyError as exc:
        raise forms.ValidationError(money_question(campaign, exc, text)) from None


def presets_separator(locale):
    return "; " if get_decimal_symbol(locale) == "," else ", "


def presets_split(text, locale):
    """"5; 10; 25" anywhere; "5, 10, 25" anywhere too (a comma followed by a space is never a decimal mark:
    "12,50, 20" in fr_FR is 12,50 and 20; "1,000, 2,500" in en_US); "5,10,25" only where the comma is not the
    decimal mark ("12,50" in fr_FR is one amount)."""
    if ";" in text:
        items = text.split(";")
    elif re.search(r",\s", text):
        items = re.split(r",\s+", text)
    elif get_decimal_symbol(locale) == ",":
        items = [text]
    else:
        items = text.split(",")
    return [item.strip() for item in items if item.strip()]


class CampaignAdminForm(forms.ModelForm):
    """Owners type money in major units the campaign's way and pick currency, locale and time zone from
    lists; the model keeps minor units. The currency, locale and pattern read are the ones submitted."""

    currency = forms.ChoiceField(
        choices=CURRENCY_CHOICES,
        error_messages={"invalid_choice": "“%(value)s” is not a currency we take: pick one from the list."},
    )
    locale = forms.ChoiceField(
        choices=LOCALE_CHOICES,
        help_text="How amounts and dates are written, and the language of the donation page and widgets.",
        error_messages={"invalid_choice": "“%(value)s” is not a locale we offer: pick one from the list."},
    )
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES,
        help_text="Months start and end at midnight here.",
        error_messages={"invalid_choice": "“%(value)s” is not a time zone: pick one from the list."},
    )
    monthly_target = forms.CharField(
        help_text="In the goal's unit: money in the campaign's currency, e.g. 5000, or a number of supporters."
    )
    preset_amounts = forms.CharField(
        required=False,
        label="Preset amounts",
        help_text="The donation page's buttons in the campaign's currency, e.g. 5, 10, 25 (a space after each "
        "comma) or 5; 10; 25.",
    )
    min_amount = forms.CharField(required=False, label="Smallest gift", help_text=MONEY_HELP)
    max_amount = forms.CharField(required=False, label="Largest gift", help_text=MONEY_HELP)

    class Meta:
        model = Campaign
        # The advanced pattern comes last: most campaigns leave it to their locale.
        fields = [
            "organization", "slug", "title", "description", "currency", "locale", "time_zone", "goal_kind",
            "monthly_target", "active", "preset_amounts", "min_amount", "max_amount", "milestones_refire",
            "supporters_wall", "supporters_wall_amounts", "yearly_gifts", "fee_cover_offered", "fee_cover_counts",
            "amount_pattern",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaign = self.instance
        lists = (("currency", CURRENCY_CHOICES), ("locale", LOCALE_CHOICES), ("time_zone", TIME_ZONE_CHOICES))
        for name, choices in lists:
            field, current = self.fields.get(name), getattr(campaign, name)  # no field: the member only views
            if field is None:
                continue
            field.initial = current  # a new campaign's: the model's default (usd, en_US, UTC)
            if current and current not in dict(choices):  # set before these lists: still offered
                field.choices = [(current, current), *choices]
        wall = self.fields.get("supporters_wall")
        if wall is not None:  # the admin renders help texts as HTML: the model's "<slug>" would vanish
            slug = campaign.slug or "<slug>"
            wall.help_text = escape(
                f"Publish the latest supporters' public names and messages at {settings.SITE_URL}/w/{slug}/"
                "supporters.json and in widgets asked for it (docs/widgets.md#supporters-wall)."
            )
        pattern = self.fields.get("amount_pattern")
        if pattern is not None:
            pattern.label = "Amount pattern (advanced)"
            pattern.help_text = (
                'Leave empty for the locale\'s own. A Babel number pattern, e.g. "#,##0 ¤" gives "2,500 $".'
            )
            if campaign.pk is not None:
                pattern.help_text += f" This campaign now shows {campaign.format(250000)}."
        if campaign.pk is None:
            return
        self.initial["monthly_target"] = goal_shown(campaign, campaign.monthly_target)
        for name in ("min_amount", "max_amount"):
            value = getattr(campaign, name)
            self.initial[name] = "" if value is None else goal_shown(campaign, value, money_only=True)
        shown = (goal_shown(campaign, v, money_only=True) for v in campaign.preset_amounts or [])
        self.initial["preset_amounts"] = presets_separator(campaign.locale).join(shown)

    def clean_amount_pattern(self):
        pattern = self.cleaned_data["amount_pattern"]
        if pattern:
            validate_amount_pattern(pattern)
        return pattern

    def submitted(self):
        """The campaign as submitted so far (cleaned fields win, the stored ones fill in): how to read money."""
        data, campaign = self.cleaned_data, self.instance
        return Campaign(
            currency=data.get("currency") or campaign.currency,
            locale=data.get("locale") or campaign.locale,
            amount_pattern=data.get("amount_pattern", campaign.amount_pattern),
            goal_kind=data.get("goal_kind") or campaign.goal_kind,
        )

    def unchanged(self, name):
        """The field shows what is stored and nothing it is read with changed: keep it as it is (a stored
        1.234 KWD shown as "1.234" must not come back as a question)."""
        keys = ("currency", "locale", "amount_pattern", "goal_kind")
        return (
            self.instance.pk is not None
            and name not in self.changed_data
            and not any(key in self.changed_data for key in keys)
        )

    def clean_monthly_target(self):
        if self.unchanged("monthly_target"):
            return self.instance.monthly_target
        return goal_parse(self.submitted(), self.cleaned_data["monthly_target"])

    def clean_min_amount(self):
        return self.optional_money("min_amount")

    def clean_max_amount(self):
        return self.optional_money("max_amount")

    def optional_money(self, name):
        text = self.cleaned_data[name].strip()
        if self.unchanged(name):
            return getattr(self.instance, name)
        return goal_parse(self.submitted(), text, money_only=True) if text else None

    def clean_preset_amounts(self):
        if self.unchanged("preset_amounts"):
            return self.instance.preset_amounts
        campaign, amounts, problems = self.submitted(), [], []
        for item in presets_split(self.cleaned_data["preset_amounts"], campaign.locale):
            try:
                amounts.append(goal_parse(campaign, item, money_only=True))
            except forms.ValidationError as exc:
                problems.append(format_html("“{}”: {}", item, exc.messages[0]))
        if problems:
            raise forms.ValidationError(problems)
        return amounts

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_amount"), cleaned.get("max_amount")
        if low is not None and high is not None and high < low:
            self.add_error("max_amount", "The largest gift can't be smaller than the smallest gift.")
        return cleaned


class MilestoneForm(forms.ModelForm):
    """A milestone typed like the target: money in major units, or a number of supporters."""

    amount = forms.CharField(help_text="In the goal's unit, like the monthly target: e.g. 2500, or 25 supporters.")

    class Meta:
        model = Milestone
        fields = ["amount", "label"]

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign  # the parent form's instance: its currency and locale as submitted
        if self.instance.pk is not None:
            self.initial["amount"] = goal_shown(campaign, self.instance.amount)

    def clean_amount(self):
        if self.instance.pk is not None and "amount" not in self.changed_data:
            return self.instance.amount
        return goal_parse(self.campaign, self.cleaned_data["amount"])


class MilestoneFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        # The parent form fills self.instance with what was submitted before the formset validates.
        return {**super().get_form_kwargs(index), "campaign": self.instance}


class MilestoneInline(RoleInline):
    model = Milestone
    form = MilestoneForm
    formset = MilestoneFormSet
    extra = 1

    def get_fields(self, request, obj=None):
        fields = [name for name in super().get_fields(request, obj) if name != "amount_shown"]
        if self.has_change_permission(request, obj):
            return fields
        return ["amount_shown" if name == "amount" else name for name in fields]  # see SHOWN_TO_VIEWERS

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if self.has_change_permission(request, obj) else [*readonly, "amount_shown"]

    @admin.display(description="Amount")
    def amount_shown(self, milestone):
        return milestone.campaign.format_goal(milestone.amount)


@admin.register(Campaign)
class CampaignAdmin(OrganizationScopedAdmin):
    """fundraising.widgets.admin extends this with the Embed page (widgets sit above campaigns)."""

    form = CampaignAdminForm
    list_display = ["title", "slug", "this_month", "dashboard_link", "currency", "time_zone", "active"]
    list_filter = ["active", "currency"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [MilestoneInline]

    # A member who may only view reads money as the donation page writes it, not minor units.
    SHOWN_TO_VIEWERS = {
        "monthly_target": "target_shown",
        "preset_amounts": "presets_shown",
        "min_amount": "min_shown",
        "max_amount": "max_shown",
    }

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return [self.SHOWN_TO_VIEWERS.get(name, name) for name in fields]
        return fields

    @admin.display(description="Monthly target")
    def target_shown(self, campaign):
        return campaign.format_goal(campaign.monthly_target)

    @admin.display(description="Preset amounts")
    def presets_shown(self, campaign):
        return ", ".join(campaign.format(amount) for amount in campaign.preset_amounts) or "-"

    @admin.display(description="Smallest gift")
    def min_shown(self, campaign):
        return "-" if campaign.min_amount is None else campaign.format(campaign.min_amount)

    @admin.display(description="Largest gift")
    def max_shown(self, campaign):
        return "-" if campaign.max_amount is None else campaign.format(campaign.max_amount)

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
            # The page's own width for the chart and the month table (up to seventeen columns: a goal other than
            # the amount, yearly gifts): at 1280 px beside the admin's sidebar they need a sideways scroll.
            "is_nav_sidebar_enabled": False,
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
