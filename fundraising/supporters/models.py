"""What the app sends supporters (Notice), the changes they asked Stripe for (GiftChange) and the
owners' yearly statement runs (StatementRun)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from fundraising.payments.models import SubscriptionState


class Notice(models.Model):
    """One e-mail to a supporter. `key` names what it is about (receipt:<donation>, refund:<donation>:<total>,
    renewal-failed:<invoice>:<attempt>, statement:<org>:<year>:<address>, tribute:<donation>), so a payment
    settled twice, or an event delivered twice, finds the row already there and sends nothing more."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        REFUND = "refund", "Refund notice"
        RENEWAL_FAILED = "renewal_failed", "Failed renewal"
        STATEMENT = "statement", "Yearly statement"
        MANAGE_LINK = "manage_link", "Manage link"
        TRIBUTE = "tribute", "Dedication notice"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RETRYING = "retrying", "Retrying"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=400, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="notices")
    donation = models.ForeignKey(
        "ledger.Donation", on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    email = models.EmailField()
    amount = models.PositiveBigIntegerField(default=0, help_text="What the notice is about, minor units.")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the next try is due (the sweep queues what is overdue, so a send lost with Redis still goes), and
    # until when one process holds the notice while it sends (two queued sends never both send).
    due_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status__in=["queued", "retrying"]), name="notice_due"),
        ]
        verbose_name = "e-mail sent"
        verbose_name_plural = "e-mails sent"
        constraints = [
            # Exactly one receipt per payment, whatever the key says.
            models.UniqueConstraint(fields=["donation"], condition=Q(kind="receipt"), name="notice_one_receipt"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.email}"


class GiftChange(models.Model):
    """A change a supporter asked Stripe for; the page says "waiting for confirmation" until a
    customer.subscription.* event shows it (fundraising.supporters.gifts.change_confirmed)."""

    class Kind(models.TextChoices):
        AMOUNT = "amount", "Change amount"
        CANCEL_AT_END = "cancel_at_end", "Cancel at period end"
        CANCEL_NOW = "cancel_now", "Cancel now"
        FEE_COVER_DROP = "fee_cover_drop", "Stop covering the fees"

    subscription_id = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.PositiveBigIntegerField(default=0)
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subscription_id}"


class StatementRun(models.Model):
    """An owner's "send everyone's statement for a year": a task works through it, counting as it goes."""

    organization = models.ForeignKey(
        "campaigns.Organization", on_delete=models.CASCADE, related_name="statement_runs", verbose_name="organisation"
    )
    year = models.PositiveSmallIntegerField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.year} statements for {self.organization}"


class MonthlyGift(SubscriptionState):
    """The supporters' monthly gifts as owners see them (a proxy of the payments layer's mirror of Stripe)."""

    class Meta:
        proxy = True
        verbose_name = "monthly gift"


class SupporterTools(Notice):
    class Meta:
        proxy = True
        verbose_name = "supporter (export, erase, manage link)"
        verbose_name_plural = "supporters (export, erase, manage link)"
