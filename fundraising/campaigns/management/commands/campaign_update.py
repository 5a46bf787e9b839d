"""python manage.py campaign_update <slug> [--title T] [--slug S] [--deactivate | --activate] [--target 2000]:
change a campaign as the admin does, through campaign_update; its widget follows at once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fundraising.campaigns.models import Campaign
from fundraising.campaigns.services import campaign_update
from fundraising.core import money


class Command(BaseCommand):
    help = (
        "Change a campaign's title, slug, monthly target or whether it is active, as the admin does: the open "
        "month follows, the widget is written again (moved to a new slug, or taken down when deactivated)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The campaign's slug.")
        parser.add_argument("--title", help="A new title.")
        parser.add_argument("--new-slug", dest="new_slug", help="A new slug (the old widget URLs stop answering).")
        parser.add_argument("--target", help="The monthly target as a person types it in the campaign's locale.")
        state = parser.add_mutually_exclusive_group()
        state.add_argument("--deactivate", action="store_true", help="Take the campaign and its widget down.")
        state.add_argument("--activate", action="store_true", help="Put the campaign back up.")

    def handle(self, *args, slug, title, new_slug, target, deactivate, activate, **options):
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(f"No campaign with the slug {slug!r}.")
        changes = {}
        if title is not None:
            changes["title"] = title
        if new_slug is not None:
            changes["slug"] = new_slug
        if target is not None:
            try:
                changes["monthly_target"] = campaign.parse(target)
            except money.MoneyError as exc:
                question = money.command_question(exc, campaign.currency, campaign.locale)
                raise CommandError(f"--target: {question}") from None
        if deactivate or activate:
            changes["active"] = activate
        if not changes:
            raise CommandError("Nothing to change: give --title, --new-slug, --target, --deactivate or --activate.")
        for name, value in changes.items():
            setattr(campaign, name, value)
        try:
            campaign.full_clean()
        except ValidationError as exc:
            problems = (f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            raise CommandError("; ".join(problems)) from None
        campaign_update(campaign=campaign, old_slug=slug if campaign.slug != slug else "")
        state = "active" if campaign.active else "inactive (its widget is down)"
        self.stdout.write(f"Campaign {campaign.slug!r} updated: {campaign.title}, {state}.")
