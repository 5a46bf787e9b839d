"""Dedications are personal data: the donor's export carries them and their erasure empties them; the
person a donor asked us to notify can see what concerns them and have their address removed. Scoped to
one organisation like every export and erasure."""

import json

from django.core import mail

from fundraising.ledger.models import Donation
from fundraising.supporters.models import Notice
from fundraising.supporters.privacy import supporter_erase, supporter_export
from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory
from tests.stripe_standin import events

TRIBUTE = {"tribute_kind": "memory", "tribute_name": "Ada Lovelace", "tribute_on_wall": True,
           "tribute_notify_email": "grace@example.org", "tribute_notify_amount": True}  # fmt: skip


def dedicated_and_paid(client, campaign):
    donation = Donation.objects.create(campaign=campaign, amount=2500, currency="usd", **TRIBUTE)
    session = events.checkout_session(amount=2500, donation=donation.id, email="hedy@example.org",
                                      campaign=campaign.slug)  # fmt: skip
    events.post_event(client, events.event("checkout.session.completed", session))
    return donation


def test_the_donors_export_and_erasure_include_the_dedication(client, campaign):
    donation = dedicated_and_paid(client, campaign)
    [exported] = supporter_export(organization=campaign.organization, email="hedy@example.org")["donations"]
    assert {key: exported[key] for key in TRIBUTE} == TRIBUTE

    result = supporter_erase(organization=campaign.organization, email="hedy@example.org")
    assert result["donations"] == 1
    donation.refresh_from_db()
    assert (donation.tribute_kind, donation.tribute_name, donation.tribute_notify_email) == ("", "", "")
    assert (donation.tribute_on_wall, donation.tribute_notify_amount, donation.amount) == (False, False, 2500)


def test_the_notified_person_sees_what_concerns_them_and_can_be_erased(client, campaign):
    donation = dedicated_and_paid(client, campaign)
    assert [m.to for m in mail.outbox].count(["grace@example.org"]) == 1
    export = supporter_export(organization=campaign.organization, email="Grace@Example.org")
    assert export["donations"] == []  # the gift is Hedy's
    [notified] = export["dedications_notified"]
    donation.refresh_from_db()
    assert notified == {"campaign": "lights", "tribute_kind": "memory", "tribute_name": "Ada Lovelace",
                        "paid_at": donation.paid_at.isoformat()}  # fmt: skip
    assert "hedy" not in json.dumps(export)
    assert [e["kind"] for e in export["emails_sent"]] == ["tribute"]

    result = supporter_erase(organization=campaign.organization, email="grace@example.org")
    assert (result["donations"], result["dedications"], result["emails_sent"]) == (0, 1, 1)
    donation.refresh_from_db()
    assert donation.tribute_notify_email == "" and donation.tribute_name == "Ada Lovelace"  # Hedy's dedication
    assert donation.donor_email == "hedy@example.org"
    assert not Notice.objects.filter(email__icontains="grace").exists()
    assert supporter_export(organization=campaign.organization, email="grace@example.org")["dedications_notified"] == []


def test_another_organisations_dedications_are_out_of_reach(client, campaign):
    other = CampaignFactory(organization=OrganizationFactory(), slug="roof")
    theirs = DonationFactory(campaign=other, **TRIBUTE)
    dedicated_and_paid(client, campaign)
    export = supporter_export(organization=campaign.organization, email="grace@example.org")
    assert [n["campaign"] for n in export["dedications_notified"]] == ["lights"]
    supporter_erase(organization=campaign.organization, email="grace@example.org")
    theirs.refresh_from_db()
    assert theirs.tribute_notify_email == "grace@example.org"
    mine = supporter_export(organization=other.organization, email=theirs.donor_email)["donations"]
    assert mine[0]["tribute_name"] == "Ada Lovelace"


def test_a_notice_sent_again_after_an_erasure_does_not_go(client, campaign):
    from fundraising.supporters.notices import notice_deliver, notice_resend

    dedicated_and_paid(client, campaign)
    row = Notice.objects.get(kind="tribute")
    supporter_erase(organization=campaign.organization, email="grace@example.org")
    notice_resend(notice_id=row.pk)  # an owner's "Send again"
    sent = len(mail.outbox)
    assert notice_deliver(notice_id=row.pk) is None
    assert len(mail.outbox) == sent
    row.refresh_from_db()
    assert row.status == "failed" and "erased" in row.last_error
