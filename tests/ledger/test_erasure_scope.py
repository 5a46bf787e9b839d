"""donor_erase works on one organisation's gifts from exactly one address (issue 25 point 1)."""

from fundraising.ledger.erasure import donor_erase
from fundraising.ledger.models import Donation
from tests.factories import CampaignFactory, DonationFactory


def test_it_erases_one_organisations_gifts_only(campaign):
    other = CampaignFactory(slug="elsewhere")  # another organisation
    DonationFactory(campaign=campaign, donor_email="Ada@example.org", public_name="Ada")
    DonationFactory(campaign=other, donor_email="ada@example.org", public_name="Ada")
    DonationFactory(campaign=campaign, donor_email="ada@example.org.evil", public_name="Not Ada")
    assert donor_erase(organization_id=campaign.organization_id, email="ada@example.org") == 1
    assert not Donation.objects.filter(campaign=campaign, public_name="Ada").exists()
    assert Donation.objects.get(campaign=other).donor_email == "ada@example.org"
    assert Donation.objects.get(campaign=campaign, public_name="Not Ada").donor_email == "ada@example.org.evil"
    assert donor_erase(organization_id=campaign.organization_id, email="@") == 0
