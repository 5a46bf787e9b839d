"""The ledger: one row per gift. Every total (periods, widgets, dashboards) is derived from these rows."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Donation(models.Model):
    """The ledger. Every total is derived from these rows."""

    class Kind(models.TextChoices):
        ONE_TIME = "one_time", "One-time"
        MONTHLY = "monthly", "Monthly"
        # A subscription paid once a year: counts (raised, donors) in the month it is paid, and in the run-rate
        # as a twelfth for the year it covers (fundraising/ledger/breakdown.py period_run_rate).
        YEARLY = "yearly", "Yearly"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"
        REFUNDED = "refunded", "Refunded"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        DISPUTED = "disputed", "Disputed"
        REVERSAL = "reversal", "Reversal"

    class Source(models.TextChoices):
        STRIPE = "stripe", "Stripe"
        OFFLINE = "offline", "Offline"

    class Method(models.TextChoices):
        NONE = "", "—"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CHEQUE = "cheque", "Cheque"
        CASH = "cash", "Cash"
        OTHER = "other", "Other"

    class Tribute(models.TextChoices):
        NONE = "", "—"
        HONOUR = "honour", "In honour of"
        MEMORY = "memory", "In memory of"

    class Dispute(models.TextChoices):
        NONE = "", "None"
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.PROTECT, related_name="donations")
    period = models.ForeignKey(
        "campaigns.Period", on_delete=models.PROTECT, related_name="donations", null=True, blank=True
    )
    amount = models.PositiveBigIntegerField(help_text="In minor units.")
    currency = models.CharField(max_length=3)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ONE_TIME)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    amount_refunded = models.PositiveBigIntegerField(default=0)
    amount_disputed = models.PositiveBigIntegerField(default=0)
    dispute_status = models.CharField(max_length=5, choices=Dispute.choices, default=Dispute.NONE, blank=True)
    public_name = models.CharField(max_length=100, blank=True)
    anonymous = models.BooleanField(default=False)
    message = models.TextField(blank=True, max_length=1000)
    message_hidden = models.BooleanField(
        default=False, db_default=False, help_text="An owner or editor took the message off the supporters wall."
    )
    name_hidden = models.BooleanField(
        default=False, db_default=False, help_text="An owner or editor took the name off the supporters wall."
    )
    donor_email = models.EmailField(blank=True)
    # A gift in someone's honour or memory (the first payment of a monthly gift only; docs/supporters.md).
    # The name shows on the thanks page and the receipt, on the wall only when the donor allowed it; the
    # notify address gets one notice (Notice key tribute:<id>), with the amount only when allowed.
    tribute_kind = models.CharField(
        "dedication", max_length=6, choices=Tribute.choices, default="", db_default="", blank=True
    )
    tribute_name = models.CharField("dedicated to", max_length=100, blank=True, default="", db_default="")
    tribute_on_wall = models.BooleanField("dedication on the wall", default=False, db_default=False)
    tribute_notify_email = models.EmailField("notify of the dedication", blank=True, default="", db_default="")
    tribute_notify_amount = models.BooleanField("amount in that notice", default=False, db_default=False)
    # Cover the fees (docs/owners.md#cover-the-fees): `amount` is what the donor paid, card fees covered
    # included (what Stripe charged, refunds and disputes are against); `fee_cover` is the part of it the donor
    # added for the fees, so the gift is amount - fee_cover. Whether the cover counts toward the goal is the
    # campaign's choice when the gift was first paid, kept on the row (a month's figures never move because a
    # setting changed): ledger/services.py donation_net.
    fee_cover = models.PositiveBigIntegerField(
        "card fees covered", default=0, db_default=0, help_text="Minor units, part of the amount."
    )
    fee_cover_counted = models.BooleanField("covered fees counted", default=False, db_default=False)
    stripe_checkout_session_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True, default="")
    stripe_subscription_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    stripe_invoice_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    subscription_ended_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Offline gifts (bank transfer, cheque, cash) are typed in by a member; the ledger stays append-only
    # for them: a correction is a new row that `reverses` the gift and counts as its negative.
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STRIPE)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.NONE, blank=True)
    note = models.TextField(blank=True, max_length=1000, help_text="The member's note; never shown publicly.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who typed an offline entry in (empty: the record_offline_gift command).",
    )
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by")
    # Stored with the reversal, in its transaction (fundraising/ledger/offline.py), so the wall and the running
    # figures read the row alone instead of anti-joining its reversal; verify.py checks it against `reversed_by`.
    reversed = models.BooleanField(
        default=False, db_default=False, help_text="An offline reversal cancels this gift (set with the reversal)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table keeps the name it had when the ledger lived in `campaigns`: moving the model rewrote no data.
        db_table = "campaigns_donation"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["period", "status"], name="campaigns_d_period__982d46_idx"),
            # The supporters wall: a campaign's latest paid gifts (fundraising/widgets/wall.py).
            models.Index(fields=["campaign", "-paid_at"], name="ledger_donation_wall"),
            # Exactly the wall's filter (WALL_STANDING), so its query walks this index and stops at WALL_SIZE rows
            # however many gifts the month holds (a filter the index cannot answer reads the whole month).
            models.Index(
                fields=["campaign", "-paid_at"],
                condition=Q(paid_at__isnull=False, reversed=False, status__in=["succeeded", "partially_refunded"]),
                name="ledger_donation_wall_standing",
            ),
            # The run-rate's yearly streams (fundraising/ledger/breakdown.py period_run_rate) reach a year back: this
            # index holds the yearly rows only, so that read never walks a year of the campaign's other gifts.
            models.Index(fields=["campaign", "paid_at"], condition=Q(kind="yearly"), name="ledger_donation_yearly"),
            # The month's cancelled subscriptions (breakdown.period_cancelled): the monthly gifts of subscriptions that
            # ended, by when, so that count reads the month's ends (an index range), never the month's gifts.
            models.Index(
                fields=["campaign", "subscription_ended_at"],
                condition=Q(kind="monthly", subscription_ended_at__isnull=False),
                name="ledger_donation_ended",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(condition=Q(amount_refunded__lte=F("amount")), name="donation_refund_le_amount"),
            models.CheckConstraint(condition=Q(amount_disputed__lte=F("amount")), name="donation_dispute_le_amount"),
            models.CheckConstraint(
                condition=Q(paid_at__isnull=True) | Q(period__isnull=False), name="donation_paid_has_period"
            ),
            models.CheckConstraint(condition=Q(source__in=["stripe", "offline"]), name="donation_source_known"),
            # A Stripe row has no offline method and reverses nothing; an offline row is paid, has a method,
            # carries no Stripe id, and is never refunded or disputed (its correction is a reversal).
            models.CheckConstraint(
                condition=Q(source="offline") | Q(method="", reverses__isnull=True),
                name="donation_stripe_not_offline",
            ),
            models.CheckConstraint(
                condition=Q(source="stripe")
                | Q(
                    paid_at__isnull=False,
                    method__in=["bank_transfer", "cheque", "cash", "other"],
                    stripe_checkout_session_id__isnull=True,
                    stripe_payment_intent_id__isnull=True,
                    stripe_invoice_id__isnull=True,
                    stripe_charge_id="",
                    stripe_subscription_id="",
                    amount_refunded=0,
                    amount_disputed=0,
                    dispute_status="",
                ),
                name="donation_offline_shape",
            ),
            models.CheckConstraint(condition=~Q(reverses=F("id")), name="donation_not_self_reversing"),
            # The cover is part of the amount, never all of it (a gift is more than its fees).
            models.CheckConstraint(
                condition=Q(fee_cover=0) | Q(fee_cover__lt=F("amount")), name="donation_fee_cover_lt"
            ),
            # A dedication has both its kind and its name; without one there is nothing else of it.
            models.CheckConstraint(
                condition=Q(
                    tribute_kind="",
                    tribute_name="",
                    tribute_on_wall=False,
                    tribute_notify_email="",
                    tribute_notify_amount=False,
                )
                | (~Q(tribute_kind="") & ~Q(tribute_name="")),
                name="donation_tribute_whole",
            ),
        ]

    def __str__(self):
        return f"{self.campaign.format(self.amount)} to {self.campaign.slug} ({self.status})"

    # What a row contributed to its period's figures depends on these; fundraising/ledger/tally.py
    CONTRIBUTION_FIELDS = ("period_id", "paid_at", "donor_email", "amount", "amount_refunded", "amount_disputed",
                           "dispute_status", "reverses_id", "kind", "stripe_subscription_id", "reversed", "fee_cover",
                           "fee_cover_counted", "source", "campaign_id")  # fmt: skip

    @classmethod
    def from_db(cls, db, field_names, values):
        """Remember the loaded values that decide the row's contribution, so the ledger's write knows what
        it contributed before without reading the row again (callers load rows they change under a lock)."""
        instance = super().from_db(db, field_names, values)
        loaded = dict(zip(field_names, values, strict=True))
        if all(name in loaded for name in cls.CONTRIBUTION_FIELDS):
            instance._loaded = {name: loaded[name] for name in cls.CONTRIBUTION_FIELDS}
        return instance

    @property
    def gift(self):
        """What the donor gave, card fees covered left out (minor units)."""
        return self.amount - self.fee_cover

    @property
    def is_reversal(self):
        return self.reverses_id is not None

    @property
    def display_name(self):
        return "Anonymous" if self.anonymous or not self.public_name else self.public_name


# --- running figures (fundraising/ledger/tally.py) -------------------------------------------------


class PeriodTally(models.Model):
    """Running figures of a period, written in the transaction of every ledger change that moves them.

    Each change inserts its own row (insert-only, so concurrent writers never wait for each other); a
    refresh folds a period's rows into its one `folded` row. A period with unfolded rows is dirty."""

    period = models.ForeignKey("campaigns.Period", on_delete=models.CASCADE, related_name="+")
    raised = models.BigIntegerField(default=0)
    donors = models.IntegerField(default=0)
    # Monthly supporters (streams with a standing monthly gift that nets > 0): a supporters goal's figure.
    streams = models.IntegerField(default=0, db_default=0)
    # Of those, the streams with no standing monthly gift in an earlier month (the breakdown's new_monthly).
    new_streams = models.IntegerField(default=0, db_default=0)
    # The breakdown's money, as fundraising/ledger/breakdown.py money_sums defines it (tally.MONEY).
    one_time_raised = models.BigIntegerField(default=0, db_default=0)
    monthly_raised = models.BigIntegerField(default=0, db_default=0)
    yearly_raised = models.BigIntegerField(default=0, db_default=0)
    offline_raised = models.BigIntegerField(default=0, db_default=0)
    refunded = models.BigIntegerField(default=0, db_default=0)
    disputed = models.BigIntegerField(default=0, db_default=0)
    fee_covers = models.BigIntegerField(default=0, db_default=0)
    fee_covers_counted = models.BigIntegerField(default=0, db_default=0)
    folded = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["period"], condition=Q(folded=False), name="ledger_tally_unfolded")]
        constraints = [
            models.UniqueConstraint(fields=["period"], condition=Q(folded=True), name="ledger_tally_one_folded"),
        ]

    def __str__(self):
        return f"period {self.period_id}: {self.raised:+d}, {self.donors:+d} donors{' (folded)' if self.folded else ''}"


class PeriodStreamNet(models.Model):
    """What one monthly stream (fundraising/ledger/breakdown.py stream_key) nets in a period from its standing
    gifts, so a ledger change knows whether the stream starts or stops counting as a monthly supporter; and how
    many standing gifts it has there (a row stays while it has one, even at a net of 0), so the stream's first
    month is its earliest row (whether it is a new supporter: tally.stream_first)."""

    period = models.ForeignKey("campaigns.Period", on_delete=models.CASCADE, related_name="+", db_index=False)
    key = models.CharField(max_length=255)
    net = models.BigIntegerField()
    gifts = models.IntegerField(default=0, db_default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "key"], name="ledger_streamnet_one_per_stream")]
        # A stream's rows in every month (its key, then its campaign's periods): its first month in one index range.
        indexes = [models.Index(fields=["key"], name="ledger_streamnet_key")]

    def __str__(self):
        return f"period {self.period_id}: stream {self.key} nets {self.net}"


class PeriodDonorNet(models.Model):
    """What one e-mail donor nets in a period, so a ledger change knows whether its donor starts or
    stops counting. Rows at 0 are removed. A gift without an e-mail is a donor of its own: no row."""

    # The unique (period, email) index serves lookups by period too.
    period = models.ForeignKey("campaigns.Period", on_delete=models.CASCADE, related_name="+", db_index=False)
    email = models.CharField(max_length=254)
    net = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "email"], name="ledger_donornet_one_per_donor")]

    def __str__(self):
        return f"period {self.period_id}: {self.email} nets {self.net}"


class RecurringStream(models.Model):
    """One recurring stream's latest standing gift (fundraising/ledger/recurring.py): what the run-rate counts of
    it, kept in the transaction of every ledger change, so the open month's run-rate reads a few rows."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False)
    interval = models.CharField(max_length=10)  # Donation.Kind.MONTHLY or YEARLY
    key = models.CharField(max_length=255)  # fundraising/ledger/breakdown.py stream_key
    donation_id = models.UUIDField()  # the latest standing gift (no constraint: the ledger row says)
    paid_at = models.DateTimeField()
    month = models.DateField()  # the first day of paid_at's month in the campaign's time zone
    amount = models.BigIntegerField()  # what the run-rate counts of that gift (0: fully refunded)
    ended_at = models.DateTimeField(null=True, blank=True)  # its subscription_ended_at

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "interval", "key"], name="ledger_recurring_one_per_stream")
        ]
        indexes = [
            # The yearly streams paid in the part of the month a year back that is still in force.
            models.Index(fields=["campaign", "interval", "paid_at"], name="ledger_recurring_paid"),
            # Streams that end after the cutoff: not in the month sums, read one by one (few: ending later).
            models.Index(
                fields=["campaign", "ended_at"], condition=Q(ended_at__isnull=False), name="ledger_recurring_ended"
            ),
        ]

    def __str__(self):
        return f"{self.interval} stream {self.key} of campaign {self.campaign_id}: {self.amount} paid {self.paid_at}"


class RecurringMonth(models.Model):
    """The sum of RecurringStream.amount of a campaign's streams of one interval that have not ended, by the month
    their latest gift was paid: the run-rate adds two monthly months and twelve yearly ones."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False)
    interval = models.CharField(max_length=10)
    month = models.DateField()
    amount = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "interval", "month"], name="ledger_recurring_one_per_month")
        ]

    def __str__(self):
        return f"{self.interval} streams of campaign {self.campaign_id} paid in {self.month:%Y-%m}: {self.amount}"
