"""The manage page offers a yearly statement for the years the address gave in, no others."""

import datetime

import time_machine

from fundraising.campaigns.services import period_for
from fundraising.ledger.models import Donation
from fundraising.supporters.links import manage_url
from fundraising.supporters.statements import statement_years
from tests.supporter_helpers import monthly_gift


def test_it_lists_only_the_years_with_gifts(client, campaign):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)):
        monthly_gift(client, campaign, email="new@example.com")
        html = client.get(manage_url(campaign=campaign, email="new@example.com")).content.decode()
    assert "/statement/2026/" in html
    assert not any(f"/statement/{year}/" in html for year in (2022, 2023, 2024, 2025))


def test_it_reads_each_year_in_the_campaigns_time_zone(db, campaign):
    campaign.time_zone = "America/New_York"
    campaign.save()
    for paid_at in (datetime.datetime(2024, 7, 1, 12, tzinfo=datetime.UTC),
                    datetime.datetime(2026, 1, 1, 3, tzinfo=datetime.UTC)):  # the second is 2025 in New York
        Donation.objects.create(campaign=campaign, amount=500, currency="usd", status="succeeded",
                                donor_email="Old@Example.com", paid_at=paid_at,
                                period=period_for(campaign=campaign, when=paid_at))  # fmt: skip
    assert statement_years(organization=campaign.organization, email="old@example.com") == [2025, 2024]
    assert statement_years(organization=campaign.organization, email="other@example.com") == []


def test_only_this_organisations_paid_gifts_give_a_year(db, campaign):
    from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory

    other = CampaignFactory(organization=OrganizationFactory(), slug="other")
    may = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
    DonationFactory(campaign=other, donor_email="ann@example.com", paid_at=may.replace(year=2023))  # another's
    DonationFactory(campaign=campaign, donor_email="Ann@example.com", paid_at=may)
    DonationFactory(campaign=campaign, donor_email="ann@example.com", paid_at=None, status="pending")  # not paid
    assert statement_years(organization=campaign.organization, email="ann@example.com") == [2024]
