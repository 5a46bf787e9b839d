"""What each journal entry creates for supporters, read row by row: a receipt per paid gift with an address, the
dedication notice for a gift that stands (its amount only when allowed), a refund notice per new refunded total,
a failed renewal's notice to the right address at the right campaign; a gift skipped never stops the ones after it,
and only new notices are queued."""

import contextlib
import datetime
import uuid
from unittest import mock

from fundraising.journal.models import Entry
from fundraising.ledger.models import Donation
from fundraising.supporters import consumers, tasks
from fundraising.supporters.models import Notice
from tests.factories import CampaignFactory, DonationFactory

TRIBUTE = {"tribute_kind": "memory", "tribute_name": "Ada Lovelace", "tribute_notify_email": "Grace@Example.org"}


def counted(*donations):
    return [Entry(kind="donation.counted", key=f"counted:{d.pk}", donation_id=d.pk) for d in donations]


def rows():
    return sorted((n.key, n.kind, n.campaign_id, n.email, n.donation_id, n.amount) for n in Notice.objects.all())


@contextlib.contextmanager
def queue():
    """The ids queued for a first try, in order (one task for one notice, one for several)."""
    queued = []
    with (
        mock.patch.object(tasks.notice_send, "delay", side_effect=lambda notice_id: queued.append(notice_id)),
        mock.patch.object(tasks.notices_send, "delay", side_effect=lambda notice_ids: queued.extend(notice_ids)),
    ):
        yield queued


def test_a_counted_gift_gets_its_receipt_and_its_dedication_notice_and_skipped_ones_stop_nothing(campaign):
    original = DonationFactory(campaign=campaign, source="offline", method="cash", donor_email="")
    skipped = [
        Entry(kind="donation.counted", key="unknown", donation_id=uuid.uuid4()),
        *counted(
            DonationFactory(campaign=campaign, paid_at=None, status="pending", **TRIBUTE),
            original,  # no address
            DonationFactory(
                campaign=campaign, source="offline", method="cash", reverses=original, donor_email="rev@example.com"
            ),  # a correction
        ),
    ]
    refunded = DonationFactory(campaign=campaign, status="refunded", amount_refunded=1000, donor_email="r@example.org",
                               **TRIBUTE)  # fmt: skip
    other = CampaignFactory(organization=campaign.organization)
    paid = DonationFactory(campaign=other, amount=2500, donor_email=" Hedy@Example.org ")
    kept = DonationFactory(campaign=campaign, amount=3000, donor_email="kept@example.org", **TRIBUTE)
    told = DonationFactory(campaign=campaign, amount=4000, donor_email="told@example.org", tribute_notify_amount=True,
                           **{**TRIBUTE, "tribute_notify_email": "ada@example.org"})  # fmt: skip
    with queue() as queued:
        consumers.counted_notices_send([*skipped, *counted(refunded, paid, kept, told)])
    assert rows() == sorted([
        (f"receipt:{refunded.pk}", "receipt", campaign.pk, "r@example.org", refunded.pk, 1000),  # no dedication
        (f"receipt:{paid.pk}", "receipt", other.pk, "hedy@example.org", paid.pk, 2500),
        (f"receipt:{kept.pk}", "receipt", campaign.pk, "kept@example.org", kept.pk, 3000),
        (f"receipt:{told.pk}", "receipt", campaign.pk, "told@example.org", told.pk, 4000),
        (f"tribute:{kept.pk}", "tribute", campaign.pk, "grace@example.org", kept.pk, 0),
        (f"tribute:{told.pk}", "tribute", campaign.pk, "ada@example.org", told.pk, 4000),
    ])  # fmt: skip
    keys = [Notice.objects.get(pk=pk).key for pk in queued]
    assert keys == [f"receipt:{d.pk}" for d in (refunded, paid, kept, told)] + [
        f"tribute:{kept.pk}", f"tribute:{told.pk}"
    ]  # fmt: skip
    with queue() as queued:
        consumers.counted_notices_send(counted(refunded, paid, kept, told))
    assert queued == []


def test_receipts_and_dedications_can_be_sent_on_their_own(campaign):
    kept = DonationFactory(campaign=campaign, amount=3000, donor_email="kept@example.org", **TRIBUTE)
    with queue() as queued:
        consumers.tribute_notices_send(counted(kept))
    assert rows() == [(f"tribute:{kept.pk}", "tribute", campaign.pk, "grace@example.org", kept.pk, 0)]
    assert queued == [str(Notice.objects.get().pk)]
    Notice.objects.all().delete()
    with queue() as queued:
        consumers.receipts_send(counted(kept))
    assert rows() == [(f"receipt:{kept.pk}", "receipt", campaign.pk, "kept@example.org", kept.pk, 3000)]
    assert queued == [str(Notice.objects.get().pk)]


def refunded(donation, total, **data):
    return Entry(kind="donation.refunded", key=f"refunded:{donation.pk}:{total}", donation_id=donation.pk,
                 data={"amount_refunded": total, **data} if total is not None else data)  # fmt: skip


def test_a_refund_notice_goes_once_per_new_refunded_total_to_a_known_address(campaign):
    gift = DonationFactory(campaign=campaign, amount=5000, donor_email="Hedy@Example.org")
    silent = DonationFactory(campaign=campaign, donor_email="")
    entries = [
        Entry(kind="donation.refunded", key="unknown", donation_id=uuid.uuid4(), data={"amount_refunded": 100}),
        refunded(silent, 100), refunded(gift, None), refunded(gift, 0), refunded(gift, 3), refunded(gift, 2000),
    ]  # fmt: skip
    with queue() as queued:
        consumers.refund_notices_send(entries)
    assert rows() == [
        (f"refund:{gift.pk}:2000", "refund", campaign.pk, "hedy@example.org", gift.pk, 2000),
        (f"refund:{gift.pk}:3", "refund", campaign.pk, "hedy@example.org", gift.pk, 3),
    ]  # sorted by key
    assert [Notice.objects.get(pk=pk).amount for pk in queued] == [3, 2000]
    with queue() as queued:
        consumers.refund_notices_send(entries)
    assert queued == []


def failed(*, subscription, invoice="in_1", attempt=1, campaign=None, **data):
    return Entry(kind="renewal.failed", key=f"failed:{invoice}:{attempt}:{uuid.uuid4()}",
                 campaign_id=campaign.pk if campaign else None,
                 data={"subscription_id": subscription, "invoice_id": invoice, "attempt": attempt, **data})  # fmt: skip


def test_a_failed_renewal_goes_to_the_first_gifts_address_at_its_campaign_once_per_attempt(campaign):
    other = CampaignFactory(organization=campaign.organization)
    DonationFactory(campaign=campaign, donor_email="", stripe_subscription_id="")  # not a subscription's
    later = DonationFactory(campaign=campaign, donor_email="later@example.org", stripe_subscription_id="sub_1")
    first = DonationFactory(campaign=other, donor_email="First@Example.org", stripe_subscription_id="sub_1")
    Donation.objects.filter(pk=first.pk).update(created_at=later.created_at - datetime.timedelta(days=30))
    with queue() as queued:
        consumers.renewal_failures_send([
            failed(subscription="sub_unknown"),  # no gift, no campaign, no address: nothing
            failed(subscription="sub_1", attempt=1),
            failed(subscription="sub_1", attempt=1),  # the same attempt again
            failed(subscription="sub_1", attempt=2, invoice="in_2"),
        ])  # fmt: skip
    assert rows() == [
        ("renewal-failed:in_1:1", "renewal_failed", other.pk, "first@example.org", first.pk, 0),
        ("renewal-failed:in_2:2", "renewal_failed", other.pk, "first@example.org", first.pk, 0),
    ]
    assert sorted(queued) == sorted(str(pk) for pk in Notice.objects.values_list("pk", flat=True))


def test_a_failed_renewal_uses_the_address_and_campaign_stripe_names(campaign):
    other = CampaignFactory(organization=campaign.organization)
    first = DonationFactory(campaign=other, donor_email="first@example.org", stripe_subscription_id="sub_1")
    DonationFactory(campaign=campaign, donor_email="one-time@example.org", stripe_subscription_id="")
    with queue():
        consumers.renewal_failures_send([
            failed(subscription="sub_1", email="New@Example.org", campaign=campaign),
            failed(subscription="sub_9", invoice="in_9", email="stranger@example.org", campaign=campaign),
            failed(subscription="", invoice="in_0", email="", campaign=campaign),  # no address at all
        ])  # fmt: skip
    assert rows() == [
        ("renewal-failed:in_1:1", "renewal_failed", campaign.pk, "new@example.org", first.pk, 0),
        ("renewal-failed:in_9:1", "renewal_failed", campaign.pk, "stranger@example.org", None, 0),
    ]


def test_a_refund_of_one_cent_gets_its_notice(campaign):
    gift = DonationFactory(campaign=campaign, amount=5000, donor_email="hedy@example.org")
    with queue() as queued:
        consumers.refund_notices_send([refunded(gift, 1)])
    assert rows() == [(f"refund:{gift.pk}:1", "refund", campaign.pk, "hedy@example.org", gift.pk, 1)]
    assert queued == [str(Notice.objects.get().pk)]
