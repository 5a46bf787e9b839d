"""python manage.py record_offline_gift <slug> <amount>: put a gift received outside Stripe into the ledger."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fundraising.campaigns.models import Campaign
from fundraising.core import money
from fundraising.ledger import offline


class Command(BaseCommand):
    help = (
        "Record a gift received outside Stripe (bank transfer, cheque, cash). It counts in the month of its "
        "date, in the campaign's time zone, in every total, widget and milestone."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The campaign's slug.")
        parser.add_argument("amount", help="In the campaign's currency as a person types it: 25 or 25.50.")
        parser.add_argument("--date", default="", help="YYYY-MM-DD, the day received (default: today).")
        parser.add_argument("--method", default="bank_transfer", help=f"One of {', '.join(offline.METHODS)}.")
        parser.add_argument("--name", default="", help="The supporter's public name (default: anonymous).")
        parser.add_argument("--email", default="", help="The supporter's e-mail (never shown publicly).")
        parser.add_argument("--anonymous", action="store_true", help="Keep the name off public lists.")
        parser.add_argument("--monthly", action="store_true", help="Part of a standing order, not a one-time gift.")
        parser.add_argument("--note", default="", help="Your note (never shown publicly).")

    def handle(self, *args, slug, amount, date, method, name, email, anonymous, monthly, note, **options):
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(f"No campaign with the slug {slug!r}.")
        try:
            cleaned = offline.offline_gift_clean(
                campaign=campaign, amount=amount, date=date, method=method, name=name, email=email, note=note
            )
        except ValidationError as exc:
            problems = [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items() if field != "amount"]
            if "amount" in exc.message_dict:  # with the terminal's one click: the exact text to run again with
                question = offline.amount_question(campaign=campaign, text=amount)
                said = (money.command_question(question, campaign.currency, campaign.locale) if question
                        else " ".join(exc.message_dict["amount"]))  # fmt: skip
                problems.insert(0, f"amount: {said}")
            raise CommandError("; ".join(problems)) from None
        try:
            entry = offline.offline_gift_record(
                campaign=campaign,
                amount=cleaned["amount"],
                received_on=cleaned["received_on"],
                method=cleaned["method"],
                name=cleaned["name"],
                email=cleaned["email"],
                anonymous=anonymous,
                note=cleaned["note"],
                kind="monthly" if monthly else "one_time",
                recorded_by=None,
            )
        except offline.OfflineGiftError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Recorded {campaign.format(entry.donation.amount)} ({entry.donation.get_method_display()}) "
            f"for {campaign.slug} on {cleaned['received_on'].isoformat()}, counted in {entry.period.label}: "
            f"{entry.donation.pk}"
        )
        if entry.closed_month:
            self.stdout.write(f"{entry.period.label} had already closed: its figures are updated with this gift.")
