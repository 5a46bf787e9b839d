"""Yearly statements: one calendar year's gifts of one address to one organisation, refunds netted,
and the owners' run that e-mails every supporter theirs."""

import datetime

from babel.dates import format_date
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from fundraising.ledger.models import Donation
from fundraising.ledger.services import donation_kept

from .models import StatementRun


def _year_rows(*, organization, year):
    """Counted gifts that may fall in `year` in their campaign's time zone (a day's margin each side)."""
    start = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC) - datetime.timedelta(days=1)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=1)
    return Donation.objects.filter(
        campaign__organization=organization, paid_at__gte=start, paid_at__lt=end
    ).select_related("campaign")


def _in_year(donation, year):
    return timezone.localtime(donation.paid_at, donation.campaign.tz).year == year


def statement_years(*, organization, email):
    """The years (newest first, in each campaign's time zone) in which the address gave to the organisation:
    the manage page offers a statement for these only."""
    rows = Donation.objects.filter(
        campaign__organization=organization, donor_email__iexact=email, paid_at__isnull=False
    ).select_related("campaign")
    return sorted({timezone.localtime(d.paid_at, d.campaign.tz).year for d in rows.iterator()}, reverse=True)


def statement_build(*, organization, email, year):
    """{year, organization, lines: [{date, campaign, kind, amount, refunded, net}], totals: [text per currency]}."""
    rows = _year_rows(organization=organization, year=year).filter(donor_email__iexact=email).order_by("paid_at")
    lines, totals = [], {}
    for donation in rows:
        if not _in_year(donation, year):
            continue
        campaign = donation.campaign
        net = donation_kept(donation)  # a card fees cover is part of what the supporter gave
        taken_back = donation.amount - net
        lines.append(
            {
                "date": format_date(
                    timezone.localtime(donation.paid_at, campaign.tz).date(), "medium", locale=campaign.locale
                ),  # fmt: skip
                "campaign": campaign.title,
                "monthly": donation.kind == Donation.Kind.MONTHLY,
                "yearly": donation.kind == Donation.Kind.YEARLY,
                "amount": campaign.format(donation.amount),
                "refunded": campaign.format(taken_back) if taken_back else "",
                "net": campaign.format(net),
                "reference": donation.stripe_invoice_id or donation.stripe_payment_intent_id or str(donation.pk),
            }
        )
        key = donation.currency
        if key not in totals:
            totals[key] = [campaign, 0]
        totals[key][1] += net
    return {
        "year": year,
        "organization": organization,
        "email": email,
        "lines": lines,
        "totals": [campaign.format(amount) for campaign, amount in totals.values()],
    }


def statement_recipients(*, organization, year):
    """(address, campaign of their latest gift that year) for everyone who gave in `year`."""
    found = {}
    rows = _year_rows(organization=organization, year=year).exclude(donor_email="").order_by("paid_at")
    for donation in rows.annotate(address=Lower("donor_email")):
        if _in_year(donation, year):
            found[donation.address] = donation.campaign
    return sorted(found.items())


def statement_run_progress(*, run_id, **fields):
    """started/total, one more done, or finished: compare-free updates of the run's counters."""
    StatementRun.objects.filter(pk=run_id).update(**fields)


def statement_run_step(*, run_id):
    StatementRun.objects.filter(pk=run_id).update(done=F("done") + 1)
