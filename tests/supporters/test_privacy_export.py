"""A supporter's export, part by part: every field the app keeps about the address at one organisation, as
plain JSON values, in a stable order, and nothing of the same address at another organisation."""

import datetime
import json
import uuid

from fundraising.ledger.models import Donation
from fundraising.payments.models import SubscriptionState
from fundraising.supporters.models import GiftChange, Notice
from fundraising.supporters.privacy import DONATION_FIELDS, supporter_export
from fundraising.supporters.views import manage_link_request
from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory
from tests.supporter_helpers import monthly_gift

GRACE = "grace@example.com"


def created(donation, when):
    Donation.objects.filter(pk=donation.pk).update(created_at=when)
    donation.refresh_from_db()
    return donation


def test_the_export_has_every_part_in_plain_values_and_nothing_of_another_organisation(client, campaign,
                                                                                         widget_root):  # fmt: skip
    bees = CampaignFactory(organization=OrganizationFactory(name="Charlie's bees"), slug="bees", currency="eur")
    mine = monthly_gift(client, campaign, email=GRACE, amount=1500)
    theirs = monthly_gift(client, bees, email=GRACE, amount=2000)
    change = GiftChange.objects.create(subscription_id=mine, kind=GiftChange.Kind.AMOUNT, amount=2500)
    GiftChange.objects.create(subscription_id=theirs, kind=GiftChange.Kind.CANCEL_NOW)
    manage_link_request(campaign=campaign, email=GRACE)
    manage_link_request(campaign=bees, email=GRACE)

    data = supporter_export(organization=campaign.organization, email=" Grace@Example.com ")
    assert list(data) == ["organization", "email", "exported_at", "donations", "monthly_gifts", "changes_requested",
                          "dedications_notified", "emails_sent"]  # fmt: skip
    assert (data["organization"], data["email"]) == ("Alice's club", GRACE)
    assert abs(datetime.datetime.fromisoformat(data["exported_at"]) - datetime.datetime.now(datetime.UTC)).seconds < 60
    json.dumps(data)  # plain values only: no datetime, UUID or model left for the encoder

    [gift] = data["donations"]
    stored = Donation.objects.get(campaign=campaign, donor_email__iexact=GRACE)
    assert list(gift) == ["campaign", *DONATION_FIELDS]
    assert gift["campaign"] == "lights"
    assert gift["id"] == str(stored.id) and uuid.UUID(gift["id"]) == stored.id
    assert gift["created_at"] == stored.created_at.isoformat() and gift["paid_at"] == stored.paid_at.isoformat()
    assert (gift["amount"], gift["currency"], gift["kind"], gift["donor_email"]) == (1500, "usd", "monthly", GRACE)
    assert gift["stripe_subscription_id"] == mine

    state = SubscriptionState.objects.get(subscription_id=mine)
    assert data["monthly_gifts"] == [
        {"subscription_id": mine, "customer_id": state.customer_id, "status": "active", "amount": 1500,
         "fee_cover": 0, "currency": "usd", "cancel_at_period_end": False,
         "current_period_end": state.current_period_end.isoformat(), "payment_failed_at": None},
    ]  # fmt: skip
    assert state.customer_id.startswith("cus_")

    assert data["changes_requested"] == [
        {"subscription_id": mine, "kind": "amount", "amount": 2500, "requested_at": change.requested_at.isoformat()}
    ]

    notices = Notice.objects.filter(campaign=campaign).order_by("created_at")
    assert {n.kind for n in notices} >= {"receipt", "manage_link"} and any(n.sent_at for n in notices)
    expected = [
        {"kind": n.kind, "status": n.status, "amount": n.amount, "created_at": n.created_at.isoformat(),
         "sent_at": n.sent_at.isoformat() if n.sent_at else None}
        for n in notices
    ]  # fmt: skip
    assert sorted(data["emails_sent"], key=lambda n: n["created_at"]) == expected
    assert "bees" not in json.dumps(data) and theirs not in json.dumps(data)


def test_gifts_and_dedications_are_listed_oldest_first(campaign):
    """Made in one order, dated in another: the export follows the dates."""
    now = datetime.datetime.now(datetime.UTC)
    later = DonationFactory(campaign=campaign, donor_email=GRACE, amount=200, tribute_kind="honour",
                            tribute_name="Later", tribute_notify_email="hedy@example.org")  # fmt: skip
    earlier = DonationFactory(campaign=campaign, donor_email=GRACE, amount=100, tribute_kind="honour",
                              tribute_name="Earlier", tribute_notify_email="hedy@example.org")  # fmt: skip
    created(later, now - datetime.timedelta(days=1))
    created(earlier, now - datetime.timedelta(days=2))

    gifts = supporter_export(organization=campaign.organization, email=GRACE)["donations"]
    assert [g["amount"] for g in gifts] == [100, 200]
    notified = supporter_export(organization=campaign.organization, email="hedy@example.org")["dedications_notified"]
    assert [d["tribute_name"] for d in notified] == ["Earlier", "Later"]


def test_an_incomplete_address_exports_nothing(campaign):
    DonationFactory(
        campaign=campaign, donor_email=GRACE, tribute_kind="memory", tribute_name="Ada", tribute_notify_email=GRACE
    )
    DonationFactory(campaign=campaign, donor_email="")
    for typed in ("", "grace", "@example.com"):
        data = supporter_export(organization=campaign.organization, email=typed)
        assert data["email"] == ""
        assert [data[part] for part in ("donations", "monthly_gifts", "changes_requested", "dedications_notified",
                                        "emails_sent")] == [[], [], [], [], []]  # fmt: skip
