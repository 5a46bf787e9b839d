"""Widget snapshots: the JSON document of docs/widgets.md of a campaign's current period, built from the
period's stored totals (never by aggregating the ledger)."""

from django.conf import settings
from django.utils import timezone

from fundraising.campaigns.models import Campaign
from fundraising.campaigns.services import period_for
from fundraising.core import money


def snapshot_build(*, campaign_id):
    campaign = Campaign.objects.get(pk=campaign_id)
    period = period_for(campaign=campaign)
    markers = [{"amount": 0, "label": ""}, *period.milestones]
    if period.target not in [m["amount"] for m in markers]:
        markers.append({"amount": period.target, "label": ""})
    # The bar's right end: the target, or a milestone set beyond it.
    scale = max(m["amount"] for m in markers) or 1
    return {
        "campaign": campaign.slug,
        "title": campaign.title,
        "url": f"{settings.SITE_URL}/c/{campaign.slug}/",
        "currency": campaign.currency,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label},
        "raised": period.raised,
        "target": period.target,
        "percent": round(period.raised * 100 / period.target, 1) if period.target else 0.0,
        "donors": period.donors,
        "milestones": [
            {
                "amount": m["amount"],
                "label": campaign.format(m["amount"]),
                "name": m["label"],
                "reached": period.raised >= m["amount"],
                "at": round(m["amount"] * 100 / scale, 2),
            }
            for m in sorted(markers, key=lambda m: m["amount"])
        ],
        "formatted": {"raised": campaign.format(period.raised), "target": campaign.format(period.target)},
        "updated_at": (period.recomputed_at or timezone.now()).strftime("%Y-%m-%dT%H:%M:%SZ"),
        # Extras for renderers: where the fill ends on the bar (percent of its width), and how to
        # format amounts again in another locale without touching the database.
        "fill": round(min(max(period.raised, 0), scale) * 100 / scale, 2),
        "locale": campaign.locale,
        "amount_pattern": campaign.amount_pattern,
    }


def snapshot_localize(*, snapshot, locale):
    """The same snapshot with amounts and the month label formatted for `locale` (no database)."""
    if not locale or locale == snapshot["locale"]:
        return snapshot

    def fmt(amount):
        return money.format_money(amount, snapshot["currency"], locale, snapshot["amount_pattern"])

    start = timezone.datetime.fromisoformat(snapshot["period"]["start"]).date()
    return {
        **snapshot,
        "period": {**snapshot["period"], "label": money.format_month(start, locale)},
        "milestones": [{**m, "label": fmt(m["amount"])} for m in snapshot["milestones"]],
        "formatted": {"raised": fmt(snapshot["raised"]), "target": fmt(snapshot["target"])},
        "locale": locale,
    }
