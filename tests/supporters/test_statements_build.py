"""A statement line by line: the year's edges in each campaign's own time zone, the order, what each line
says (kind, refund, reference), one total per currency; and who receives one, with the campaign of their
latest gift."""

import datetime

from fundraising.campaigns.services import period_for
from fundraising.supporters.statements import statement_build, statement_recipients
from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory


def at(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def gift(campaign, when, email="ann@example.com", **kwargs):
    return DonationFactory(campaign=campaign, paid_at=when, period=period_for(campaign=campaign, when=when),
                           donor_email=email, **kwargs)  # fmt: skip


def test_a_year_is_each_campaigns_own_and_every_line_says_what_it_was(campaign, organization):
    campaign.time_zone = "Asia/Tokyo"  # UTC+9
    campaign.save()
    sister = CampaignFactory(organization=organization, slug="sister", title="Sister campaign", currency="eur",
                             time_zone="America/New_York")  # fmt: skip
    # Made out of date order, so only the ordering puts them in it.
    yearly = gift(campaign, at(2025, 6, 1, 12), amount=5000, amount_refunded=2000, status="partially_refunded",
                  kind="yearly")  # fmt: skip
    gift(sister, at(2026, 1, 1, 3), amount=2000, kind="monthly", stripe_invoice_id="in_ny")  # 31 Dec 2025 in NY
    gift(campaign, at(2024, 12, 31, 20), amount=1000, stripe_payment_intent_id="pi_tokyo")  # 1 Jan 2025 in Tokyo
    gift(campaign, at(2025, 3, 1, 12), amount=700, email="ANN@Example.com", stripe_invoice_id="in_march",
         stripe_payment_intent_id="pi_march")  # fmt: skip
    gift(campaign, at(2025, 12, 31, 16), amount=900)  # 1 Jan 2026 in Tokyo
    gift(sister, at(2025, 1, 1, 3), amount=800)  # 31 Dec 2024 in New York
    gift(campaign, at(2025, 5, 1, 12), amount=9900, email="bea@example.com")
    gift(CampaignFactory(organization=OrganizationFactory(), slug="other"), at(2025, 5, 1, 12), amount=9800)

    statement = statement_build(organization=organization, email="ann@example.com", year=2025)

    assert (statement["year"], statement["organization"], statement["email"]) == (2025, organization,
                                                                                  "ann@example.com")  # fmt: skip
    line = {"campaign": "Keep the lights on", "monthly": False, "yearly": False, "refunded": ""}
    assert statement["lines"] == [
        line | {"date": "Jan 1, 2025", "amount": "10 $", "net": "10 $", "reference": "pi_tokyo"},
        line | {"date": "Mar 1, 2025", "amount": "7 $", "net": "7 $", "reference": "in_march"},
        line | {"date": "Jun 1, 2025", "yearly": True, "amount": "50 $", "refunded": "20 $", "net": "30 $",
                "reference": str(yearly.pk)},
        line | {"date": "Dec 31, 2025", "campaign": "Sister campaign", "monthly": True, "amount": "20 €",
                "net": "20 €", "reference": "in_ny"},
    ]  # fmt: skip
    assert statement["totals"] == ["47 $", "20 €"]


def test_everyone_who_gave_that_year_receives_one_with_their_latest_campaign(campaign, organization):
    sister = CampaignFactory(organization=organization, slug="sister", title="Sister campaign")
    gift(sister, at(2025, 9, 1, 12))  # made first, paid last
    gift(campaign, at(2025, 3, 1, 12), email="Ann@Example.com")
    gift(campaign, at(2025, 4, 1, 12), email="bea@example.com")
    gift(campaign, at(2025, 5, 1, 12), email="")  # a gift without an address gets no statement
    gift(campaign, at(2024, 5, 1, 12), email="old@example.com")
    assert statement_recipients(organization=organization, year=2025) == [
        ("ann@example.com", sister),
        ("bea@example.com", campaign),
    ]


def test_a_lines_date_is_in_the_campaigns_language(campaign, organization):
    campaign.locale = "fr_FR"
    campaign.save()
    gift(campaign, at(2025, 3, 1, 12), amount=700)
    [line] = statement_build(organization=organization, email="ann@example.com", year=2025)["lines"]
    assert line["date"] == "1 mars 2025"
