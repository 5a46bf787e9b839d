"""Create the demo campaign (the picture in README.md); running it again changes nothing."""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from fundraising.campaigns import services
from fundraising.campaigns.models import Campaign, Milestone, Organization
from fundraising.ledger.models import Donation
from fundraising.ledger.services import donation_settle, period_recompute
from fundraising.ops.demo_history import MONTHS, history_seed
from fundraising.widgets.services import snapshot_refresh

DEMO_OWNER = ("owner", "demo-owner-password")
# The owner's milestone and month-end e-mails go here (the demo's mailbox shows them).
DEMO_OWNER_EMAIL = "owner@example.com"
# Three gifts that add up to the 100 USD of the seed picture.
# (public name, amount, message): the supporters wall shows them (the demo campaign opts in).
DEMO_GIFTS = [("Ada", 5000, "For the servers, with thanks."), ("", 3000, ""), ("Grace", 2000, "Keep the lights on!")]
NAMESPACE = uuid.UUID("6f1d7a52-3f7e-4c1e-9a55-0c2f4a0d5e10")


class Command(BaseCommand):
    help = (
        "Create the demo campaign (5,000 USD a month, milestones 2,500 and 5,000, 100 USD raised this month) "
        "and two years of history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="seed even with DEBUG=0 (a staging copy)")

    def handle(self, *args, **options):
        # About 2,000 made-up gifts would count on a real installation's pages and reports.
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo adds made-up gifts: it runs with DEBUG=1 only, or with --force")
        with transaction.atomic():
            campaign, period = self.seed()
            added = history_seed(campaign=campaign)
        # Right at once, worker or not: the totals from the ledger, then the widget's snapshot.
        period_recompute(period_id=period.pk)
        snapshot_refresh(campaign_id=campaign.pk)
        self.stdout.write(f"History: {MONTHS} closed months ({added} gifts added), see the campaign's Dashboard.")
        self.stdout.write(f"Campaign 'demo' ready: {settings.SITE_URL}/c/demo/")
        self.stdout.write(f"Widget: {settings.SITE_URL}/w/demo/  JSON: {settings.SITE_URL}/w/demo.json")
        if settings.DEBUG:
            self.seed_owner(campaign.organization)

    def seed(self):
        organization, _ = Organization.objects.get_or_create(name="Demo organisation")
        campaign = Campaign.objects.filter(slug="demo").first()
        created = campaign is None
        if created:
            campaign = Campaign(
                slug="demo",
                organization=organization,
                title="Keep the lights on",
                description="Hosting, domains and coffee for the volunteers who keep this project running.",
                currency="usd",
                locale="en_US",
                amount_pattern="#,##0 ¤",
                time_zone="UTC",
                monthly_target=500000,
                preset_amounts=[500, 1000, 2500, 5000],
                min_amount=100,
                max_amount=1000000,
                supporters_wall=True,
                fee_cover_offered=True,  # the donation page offers to cover the card fees (docs/owners.md)
                yearly_gifts=True,  # and "Yearly" beside one-time and monthly (docs/owners.md#yearly-gifts)
            )
            services.campaign_update(campaign=campaign)
        for amount, label in ((250000, "Servers paid"), (500000, "Goal")):
            Milestone.objects.get_or_create(campaign=campaign, amount=amount, defaults={"label": label})
        period = services.period_for(campaign=campaign)
        if created:
            services.campaign_sync_open_period(campaign=campaign)  # the milestones just added
        self.seed_gifts(campaign, period)
        return campaign, period

    def seed_gifts(self, campaign, period):
        for index, (name, amount, message) in enumerate(DEMO_GIFTS):
            donation_id = uuid.uuid5(NAMESPACE, f"demo-gift-{index}")
            if Donation.objects.filter(pk=donation_id).exists():
                continue
            gift = Donation(
                id=donation_id,
                campaign=campaign,
                period=period,
                amount=amount,
                currency=campaign.currency,
                status=Donation.Status.SUCCEEDED,
                public_name=name,
                anonymous=not name,
                message=message,
                donor_email=f"demo{index}@example.com",
                paid_at=timezone.now(),
            )
            # Seeded as already counted: journalled as a change of the month, with no receipt to send.
            donation_settle(donation=gift)

    def seed_owner(self, organization):
        username, password = DEMO_OWNER
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            user = get_user_model().objects.create_user(username=username, password=password, email=DEMO_OWNER_EMAIL)
        elif not user.email:  # seeded before owners had an address
            user.email = DEMO_OWNER_EMAIL
            user.save(update_fields=["email"])
        services.owner_add(organization=organization, user=user)
        self.stdout.write(f"Owner login (DEBUG only): {settings.SITE_URL}/admin/  user {username}  password {password}")
        if settings.EMAIL_BACKEND.endswith("MailboxBackend"):
            self.stdout.write(f"E-mails (receipts, the owner's milestones and summaries): {settings.SITE_URL}/mailbox/")
