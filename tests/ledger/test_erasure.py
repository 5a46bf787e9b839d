"""Erasure takes a donor's personal data out of the ledger and leaves every figure as it was."""

import datetime

from django.db import transaction

from fundraising.campaigns.models import Period
from fundraising.ledger.erasure import ERASED_DOMAIN, donor_erase
from fundraising.ledger.models import Donation
from fundraising.ledger.services import ledger_totals, period_recompute
from fundraising.ledger.tally import period_tally_sum
from tests.factories import DonationFactory


def test_two_gifts_from_one_address_stay_one_donor_after_erasure(db, campaign):
    paid = datetime.datetime.now(datetime.UTC)
    for amount in (500, 700):
        DonationFactory(campaign=campaign, amount=amount, donor_email="ada@example.com", paid_at=paid)
    DonationFactory(campaign=campaign, amount=300, donor_email="grace@example.com", paid_at=paid)
    period_id = Period.objects.get().pk
    assert ledger_totals(period_id=period_id) == (1500, 2)

    with transaction.atomic():
        assert donor_erase(organization_id=campaign.organization_id, email="ada@example.com") == 2

    assert ledger_totals(period_id=period_id) == period_tally_sum(period_id=period_id) == (1500, 2)
    assert period_recompute(period_id=period_id).donors == 2
    erased = set(Donation.objects.exclude(donor_email="grace@example.com").values_list("donor_email", flat=True))
    assert len(erased) == 1 and erased.pop().endswith(f"@{ERASED_DOMAIN}")


def test_an_empty_address_erases_nothing(db, campaign):
    # Gifts without an e-mail share the empty address: "erase ''" must not anonymise all of them.
    DonationFactory(campaign=campaign, amount=100, donor_email="", public_name="Grace")
    assert donor_erase(organization_id=campaign.organization_id, email="") == 0
    assert Donation.objects.get().public_name == "Grace"


def test_erasure_blanks_every_personal_field(db, campaign):
    DonationFactory(campaign=campaign, amount=100, donor_email="ada@example.com", public_name="Ada Lovelace",
                    message="For my daughter", anonymous=False, stripe_charge_id="ch_secret")  # fmt: skip
    with transaction.atomic():
        donor_erase(organization_id=campaign.organization_id, email="ada@example.com")
    gift = Donation.objects.get()
    assert (gift.public_name, gift.message, gift.anonymous, gift.stripe_charge_id) == ("", "", True, "")
    assert gift.stripe_payment_intent_id is None and gift.stripe_checkout_session_id is None
