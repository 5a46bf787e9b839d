"""The journal against the tables: every ledger row, crossing, closed month and campaign must have been
written by its service, which journals it in the same transaction. A row without its entry was written
around the service (a model .save(), a queryset .update(), a data migration) and its side effects never ran.

Run by `manage.py journal_check` and by the tests after their scenarios."""

from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat

from fundraising.campaigns.models import Campaign, MilestoneCrossing, Period
from fundraising.campaigns.services import campaign_state
from fundraising.journal import kinds
from fundraising.journal.models import Entry
from fundraising.ledger.models import Donation

DONATION_KINDS = [kinds.DONATION_COUNTED, kinds.DONATION_REFUNDED, kinds.DONATION_CHANGED]


def journal_gaps(*, limit=20):
    """{what: [ids]} of rows the journal does not account for, at most `limit` of each; empty when all agree."""
    gaps = {}
    journalled = Entry.objects.filter(kind__in=DONATION_KINDS, donation_id=OuterRef("pk"))
    counted = Donation.objects.filter(paid_at__isnull=False).exclude(Exists(journalled))
    gaps["donations without an entry"] = [str(pk) for pk in counted.values_list("pk", flat=True)[:limit]]
    key = Concat(Value(f"{kinds.MILESTONE_REACHED}:"), Cast(OuterRef("pk"), CharField()))
    crossings = MilestoneCrossing.objects.exclude(Exists(Entry.objects.filter(key=key)))
    gaps["crossings without milestone.reached"] = list(crossings.values_list("pk", flat=True)[:limit])
    closed = Entry.objects.filter(kind=kinds.PERIOD_CLOSED, period_id=OuterRef("pk"))
    periods = Period.objects.filter(closed_at__isnull=False).exclude(Exists(closed))
    gaps["closed months without period.closed"] = list(periods.values_list("pk", flat=True)[:limit])
    gaps["campaigns changed around campaign_update"] = campaigns_drifted(limit=limit)
    return {what: ids for what, ids in gaps.items() if ids}


def campaigns_drifted(*, limit):
    """Campaigns whose latest campaign.updated entry does not describe the row as it is."""
    latest = {}
    for campaign_id, data in (
        Entry.objects.filter(kind=kinds.CAMPAIGN_UPDATED).order_by("pk").values_list("campaign_id", "data").iterator()
    ):
        latest[campaign_id] = data
    drifted = []
    for campaign in Campaign.objects.order_by("pk").iterator():
        data = latest.get(campaign.pk)
        if data is None or {key: data.get(key) for key in campaign_state(campaign)} != campaign_state(campaign):
            drifted.append(campaign.pk)
            if len(drifted) >= limit:
                break
    return drifted
