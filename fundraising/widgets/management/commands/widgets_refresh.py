"""Re-render every active campaign's widget snapshot (cache and files): run once per release."""

from django.core.management.base import BaseCommand

from fundraising.campaigns.models import Campaign
from fundraising.widgets.services import snapshot_refresh


class Command(BaseCommand):
    help = "Re-render the widget snapshot of every active campaign; safe to run any number of times."

    def handle(self, *args, **options):
        ids = list(Campaign.objects.filter(active=True).order_by("pk").values_list("pk", flat=True))
        for done, campaign_id in enumerate(ids, start=1):
            entry = snapshot_refresh(campaign_id=campaign_id)
            slug = entry["snapshot"]["campaign"] if entry else f"#{campaign_id} (no longer active)"
            self.stdout.write(f"[{done}/{len(ids)}] {slug}")
        self.stdout.write(self.style.SUCCESS(f"Refreshed {len(ids)} widget snapshot(s)."))
