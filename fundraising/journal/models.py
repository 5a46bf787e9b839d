"""The journal: one append-only row per thing that happened (a gift counted, a milestone reached, a month
closed, a campaign changed), written in the same transaction as the change by the service that made it.

Side effects (receipts, refreshes, outgoing events, widgets) follow these rows, never a loose signal: an
entry stays undispatched until every consumer of its kind ran, so a crash between the commit and the
dispatch delays a side effect and never drops it (fundraising/journal/dispatch.py)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Entry(models.Model):
    # What happened, e.g. "donation.counted"; consumers register per kind (fundraising/journal/kinds.py).
    kind = models.CharField(max_length=40)
    # What makes it the same happening: a second write of one key is no new entry (a replayed event).
    key = models.CharField(max_length=200, unique=True)
    # Plain ids, not foreign keys: the journal sits below the apps whose rows it names, and outlives them.
    organization_id = models.BigIntegerField(null=True, blank=True)
    campaign_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    period_id = models.BigIntegerField(null=True, blank=True)
    donation_id = models.UUIDField(null=True, blank=True, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Dispatch state (the only fields ever updated): set once every consumer of the kind succeeded.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "entries"
        indexes = [
            # The sweep reads only what is left to dispatch, oldest first.
            models.Index(fields=["created_at"], condition=Q(dispatched_at__isnull=True), name="journal_undispatched"),
        ]

    def __str__(self):
        return self.key
