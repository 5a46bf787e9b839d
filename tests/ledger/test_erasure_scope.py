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


def test_an_address_with_nothing_before_or_after_its_at_erases_nothing(campaign):
    # As supporters.privacy's address_exact: a fragment is no address, even where a gift was typed in with it.
    for fragment in ("ada@", "@example.org"):
        DonationFactory(campaign=campaign, donor_email=fragment, public_name="Kept")
        assert donor_erase(organization_id=campaign.organization_id, email=f" {fragment} ") == 0
    kept = set(Donation.objects.values_list("donor_email", "public_name"))
    assert kept == {("ada@", "Kept"), ("@example.org", "Kept")}


def test_a_one_letter_address_is_erased(campaign):
    DonationFactory(campaign=campaign, donor_email="X@example.org", public_name="X")
    assert donor_erase(organization_id=campaign.organization_id, email=" X@example.org\n") == 1
    assert Donation.objects.get().public_name == ""
