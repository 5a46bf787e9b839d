"""Organisations, campaigns with milestones, and their monthly periods (the ledger lives in fundraising.ledger)."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from fundraising.core import money


def validate_currency(value):
    if not money.currency_is_known(value):
        raise ValidationError(f"{value!r} is not an ISO 4217 currency code.")


def validate_locale(value):
    if not money.locale_is_known(value):
        raise ValidationError(f"{value!r} is not a known locale (e.g. en_US, fr_FR).")


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone (e.g. Europe/Paris).")


def validate_amount_pattern(value):
    from babel.numbers import parse_pattern

    if "¤" not in value:
        raise ValidationError("The pattern needs a ¤ where the currency symbol goes.")
    try:
        parse_pattern(value)
    except Exception as exc:  # Babel raises several types on a bad pattern
        raise ValidationError(f"Not a number pattern: {exc}") from None


def validate_presets(value):
    if not isinstance(value, list) or not all(isinstance(v, int) and v > 0 for v in value):
        raise ValidationError("Preset amounts are a list of positive whole numbers of minor units, e.g. [500, 2500].")


class Organization(models.Model):
    """The British spelling is the one the UI and docs use; the code keeps Django's `organization`."""

    name = models.CharField(max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="organizations")
    notify_email = models.BooleanField(default=True, help_text="E-mail owners when a milestone is reached.")
    summary_email = models.BooleanField(
        default=True, help_text="E-mail owners each campaign's result when a month closes."
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text="The language of the e-mails owners receive.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        EDITOR = "editor", "Editor"
        VIEWER = "viewer", "Viewer"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name="organisation"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.OWNER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} · {self.organization} ({self.role})"


class GoalKind(models.TextChoices):
    """What a campaign's month aims for; the target and milestones are in this unit."""

    AMOUNT = "amount", "Amount raised"
    SUPPORTERS = "supporters", "Monthly supporters"
    RECURRING = "recurring", "Monthly recurring total"


class Campaign(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="campaigns", verbose_name="organisation"
    )
    slug = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    currency = models.CharField(max_length=3, default="usd", validators=[validate_currency])
    locale = models.CharField(max_length=20, default="en_US", validators=[validate_locale])
    amount_pattern = models.CharField(
        max_length=40,
        blank=True,
        validators=[validate_amount_pattern],
        help_text='Babel number pattern for amounts, e.g. "#,##0 ¤" gives "2,500 $". Empty: the locale\'s own.',
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    goal_kind = models.CharField(
        max_length=10,
        choices=GoalKind.choices,
        default=GoalKind.AMOUNT,
        help_text="Amount raised in the month, number of monthly supporters, or monthly recurring total.",
    )
    monthly_target = models.PositiveBigIntegerField(
        help_text="In the goal's unit: minor units (cents) for an amount or recurring total, people for supporters."
    )
    active = models.BooleanField(default=True)
    preset_amounts = models.JSONField(default=list, blank=True, validators=[validate_presets])
    min_amount = models.PositiveBigIntegerField(null=True, blank=True, help_text="Smallest gift, minor units.")
    max_amount = models.PositiveBigIntegerField(null=True, blank=True, help_text="Largest gift, minor units.")
    milestones_refire = models.BooleanField(
        default=False, help_text="Notify again when a milestone is re-crossed after a refund."
    )
    supporters_wall = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Publish the latest supporters' public names and messages at /w/<slug>/supporters.json "
        "and in widgets asked for it (docs/widgets.md#supporters-wall).",
    )
    supporters_wall_amounts = models.BooleanField(
        default=False, db_default=False, help_text="Show each gift's amount on the supporters wall too."
    )
    # Off by default: an existing campaign's page, receipts and run-rate do not change under its owners, and
    # a yearly promise is one the owners choose to offer (docs/owners.md#yearly-gifts).
    yearly_gifts = models.BooleanField(
        "offer yearly gifts", default=False, db_default=False,
        help_text="Offer \"Yearly\" beside one-time and monthly on the donation page; the run-rate counts a "
        "yearly gift as a twelfth for the year it covers.",
    )  # fmt: skip
    # Cover the fees (docs/owners.md#cover-the-fees): the donation page offers to add the card fees of the
    # organisation's fee table (FeeRate); whether those covers count toward the goal is the owner's choice.
    fee_cover_offered = models.BooleanField(
        "offer to cover the fees",
        default=False,
        db_default=False,
        help_text="The donation page offers donors to add the card fees to their gift, so the campaign receives "
        "the whole gift (the organisation's fee table says how much).",
    )
    fee_cover_counts = models.BooleanField(
        "covered fees count toward the goal",
        default=False,
        db_default=False,
        help_text="Off: the goal counts the gifts only, and the dashboard shows the covered fees beside them. "
        "Applies to gifts paid from now on; a month already counted keeps its figures.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(monthly_target__gt=0), name="campaign_target_positive"),
            models.CheckConstraint(
                condition=Q(min_amount__isnull=True) | Q(max_amount__isnull=True) | Q(max_amount__gte=F("min_amount")),
                name="campaign_min_le_max",
            ),
            models.CheckConstraint(condition=Q(currency__regex=r"^[a-z]{3}$"), name="campaign_currency_lower"),
            models.CheckConstraint(condition=Q(goal_kind__in=GoalKind.values), name="campaign_goal_kind_known"),
        ]

    def __str__(self):
        return self.title

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def format(self, amount):
        return money.format_money(amount, self.currency, self.locale, self.amount_pattern)

    def parse(self, text):
        """Typed text into minor units, or a MoneyError (a question, when the text has two readings)."""
        return money.parse_money(text, self.currency, self.locale, self.amount_pattern)

    def format_goal(self, value, kind=None):
        """A value in the goal's unit for people: money, or a count of supporters ("1,234")."""
        if (kind or self.goal_kind) == GoalKind.SUPPORTERS:
            return money.format_count(value, self.locale)
        return self.format(value)


class FeeRate(models.Model):
    """An organisation's card fee for one currency, as its payment provider charges it: a percentage (basis
    points, so 2.9 % is exactly 290) plus a fixed part in minor units. A currency without a row uses Stripe's
    published standard pricing (fundraising/campaigns/fees.py DEFAULT_FEES), shown as the default."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="fee_rates", verbose_name="organisation"
    )
    currency = models.CharField(max_length=3, validators=[validate_currency])
    percent_bp = models.PositiveIntegerField("percentage (basis points)", help_text="1 % is 100 basis points.")
    fixed = models.PositiveBigIntegerField("fixed part", default=0, help_text="In minor units.")

    class Meta:
        verbose_name = "card fee"
        constraints = [
            models.UniqueConstraint(fields=["organization", "currency"], name="feerate_one_per_currency"),
            # Below 50 %: the cover's formula divides by (1 - percentage), and above that it would outgrow the gift.
            models.CheckConstraint(condition=Q(percent_bp__lt=5000), name="feerate_percent_below_half"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[a-z]{3}$"), name="feerate_currency_lower"),
        ]

    def __str__(self):
        return f"{self.currency.upper()}: {self.percent_bp / 100:g} % + {self.fixed} minor units"


class Milestone(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    amount = models.PositiveBigIntegerField(help_text="In the goal's unit: minor units, or supporters.")
    label = models.CharField(max_length=100, blank=True, help_text='e.g. "Server costs covered".')

    class Meta:
        ordering = ["amount"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "amount"], name="milestone_unique_amount"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_amount_positive"),
        ]

    def __str__(self):
        return self.label or str(self.amount)


class Period(models.Model):
    """One calendar month of a campaign in its time zone. Every figure below `milestones` is derived from
    the ledger by fundraising.ledger.services.period_recompute; the goal is frozen as it was that month."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="periods")
    start = models.DateField(help_text="First day of the month, campaign time zone.")
    end = models.DateField(help_text="Last day of the month, campaign time zone.")
    goal_kind = models.CharField(max_length=10, choices=GoalKind.choices, default=GoalKind.AMOUNT)
    target = models.PositiveBigIntegerField(help_text="In the goal's unit.")
    milestones = models.JSONField(default=list, help_text="[{amount, label}] as they were for this month.")
    raised = models.BigIntegerField(default=0)
    donors = models.PositiveIntegerField(default=0)
    # The month's breakdown, stored so history pages read one row per month, never the ledger.
    one_time_raised = models.BigIntegerField(default=0)
    monthly_raised = models.BigIntegerField(default=0)
    yearly_raised = models.BigIntegerField(default=0, db_default=0, help_text="Yearly gifts paid this month, whole.")
    offline_raised = models.BigIntegerField(default=0)
    monthly_supporters = models.PositiveIntegerField(default=0)
    new_monthly = models.PositiveIntegerField(default=0, help_text="Monthly supporters whose first gift is here.")
    cancelled_monthly = models.PositiveIntegerField(default=0, help_text="Monthly gifts that ended this month.")
    recurring = models.BigIntegerField(
        default=0,
        help_text="Run-rate: what the monthly gifts active at the month's end bring each month, plus a twelfth of "
        "the yearly gifts in force then.",
    )
    refunded = models.BigIntegerField(default=0, help_text="Taken back by refunds from this month's gifts.")
    disputed = models.BigIntegerField(default=0, help_text="Held or lost in open or lost disputes.")
    fee_covers = models.BigIntegerField(
        "card fees covered",
        default=0,
        db_default=0,
        help_text="What donors added to this month's gifts for the card fees, less what refunds took of it.",
    )
    fee_covers_counted = models.BigIntegerField(
        "card fees covered in raised",
        default=0,
        db_default=0,
        help_text="The part of fee_covers in `raised`: covers of gifts paid while the campaign counted them.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    recomputed_at = models.DateTimeField(null=True, blank=True)
    # When the stored breakdown last read the ledger: one older than the totals after a while was lost.
    breakdown_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "start"], name="period_one_per_month"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="period_end_after_start"),
            models.CheckConstraint(condition=Q(goal_kind__in=GoalKind.values), name="period_goal_kind_known"),
        ]

    def __str__(self):
        return f"{self.campaign.slug} {self.start:%Y-%m}"

    @property
    def label(self):
        return money.format_month(self.start, self.campaign.locale)

    @property
    def goal_current(self):
        """Where the month stands in its goal's unit (what the bar and the milestones measure)."""
        if self.goal_kind == GoalKind.SUPPORTERS:
            return self.monthly_supporters
        if self.goal_kind == GoalKind.RECURRING:
            return self.recurring
        return self.raised

    def format_goal(self, value):
        return self.campaign.format_goal(value, self.goal_kind)


class PeriodSummary(models.Model):
    """The month-end e-mail of a period: one row per period, so it is sent once, never twice after a retry."""

    period = models.OneToOneField(Period, on_delete=models.CASCADE, related_name="summary")
    claimed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"summary of {self.period}"


class MilestoneCrossing(models.Model):
    """A milestone (or the target) reached in a period: recorded once, notified once."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="crossings")
    amount = models.PositiveBigIntegerField()
    label = models.CharField(max_length=100, blank=True)
    crossed_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    # The owners' e-mail: tries that failed, when periods_sweep may queue it again (empty: its first task was
    # queued with the crossing), and the last failure (fundraising/campaigns/milestones.py crossing_email_failed).
    email_attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    email_due_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True, default="", db_default="")

    class Meta:
        ordering = ["amount"]
        constraints = [models.UniqueConstraint(fields=["period", "amount"], name="crossing_once_per_period")]
        indexes = [
            models.Index(fields=["email_due_at"], name="crossing_email_due", condition=Q(notified_at__isnull=True))
        ]

    def __str__(self):
        return f"{self.period} reached {self.amount}"


class Invitation(models.Model):
    """An owner's invitation to join an organisation with a role, sent by e-mail as a signed, expiring link."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations", verbose_name="organisation"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.VIEWER)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organization} ({self.role})"
