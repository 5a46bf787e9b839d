"""Erasure reaches the journal: a failed renewal's entry names the address; at the erasing organisation it
then names the same stand-in as the erased e-mail rows, at another organisation it keeps the address."""

from fundraising.journal.models import Entry
from fundraising.ledger.models import Donation
from fundraising.supporters.models import Notice
from fundraising.supporters.privacy import supporter_erase
from tests.factories import CampaignFactory, OrganizationFactory
from tests.stripe_standin import events
from tests.supporter_helpers import monthly_gift

GRACE = "grace@example.com"


def renewal_failed(client, campaign):
    sub = monthly_gift(client, campaign, email=GRACE)
    failed = events.invoice_failed(amount=1500, subscription=sub, campaign=campaign.slug, email=GRACE)
    events.post_event(client, events.event("invoice.payment_failed", failed))
    return Entry.objects.get(campaign_id=campaign.pk, data__email=GRACE)


def test_a_failed_renewals_entry_gets_the_erased_e_mails_stand_in(client, campaign, widget_root):
    bees = CampaignFactory(organization=OrganizationFactory(), slug="bees")
    mine, theirs = renewal_failed(client, campaign), renewal_failed(client, bees)

    supporter_erase(organization=campaign.organization, email=GRACE)

    mine.refresh_from_db()
    [stand_in] = {n.email for n in Notice.objects.filter(campaign=campaign)}
    assert stand_in.endswith("@erased.invalid")
    assert mine.data["email"] == stand_in
    assert Donation.objects.get(campaign=campaign).donor_email.endswith("@erased.invalid")
    theirs.refresh_from_db()
    assert theirs.data["email"] == GRACE
