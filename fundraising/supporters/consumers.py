"""What supporters are sent after journal entries (registered in SupportersConfig.ready): each entry creates at
most one Notice (its unique key names the fact), and a new notice is queued for sending. A notice whose
queued send is lost is sent by the notices' sweep (fundraising/supporters/tasks.py)."""

from fundraising.campaigns.models import Campaign
from fundraising.journal import kinds
from fundraising.ledger.models import Donation

from .models import Notice
from .notices import notice_create, notices_create, tribute_stands


def _queue(notice, created):
    from .tasks import notice_send

    if created:
        notice_send.delay(str(notice.pk))


def _create_and_queue(specs):
    """The notices of one dispatch created together, and the first try of the new ones in one task."""
    from .tasks import notices_send_enqueue

    notices_send_enqueue(notices_create(specs))


def _donations(entries):
    ids = [entry.donation_id for entry in entries]
    return {d.pk: d for d in Donation.objects.select_related("campaign").filter(pk__in=ids)}


def _receipts(entries, donations):
    """The receipts to create: one per paid gift with an address (not for a reversing entry)."""
    specs = []
    for entry in entries:
        donation = donations.get(entry.donation_id)
        if donation is None or donation.paid_at is None or not donation.donor_email or donation.reverses_id:
            continue
        specs.append({"key": f"receipt:{donation.pk}", "kind": Notice.Kind.RECEIPT, "campaign": donation.campaign,
                      "email": donation.donor_email, "donation": donation, "amount": donation.amount})  # fmt: skip
    return specs


def _tributes(entries, donations):
    """The dedication notices to create: one to the person the donor named, for a gift that still stands (paid,
    not refunded, disputed or reversed); the amount only when the donor allowed it."""
    specs = []
    for entry in entries:
        donation = donations.get(entry.donation_id)
        if donation is None or not donation.tribute_notify_email or not tribute_stands(donation):
            continue
        specs.append({"key": f"tribute:{donation.pk}", "kind": Notice.Kind.TRIBUTE, "campaign": donation.campaign,
                      "email": donation.tribute_notify_email, "donation": donation,
                      "amount": donation.amount if donation.tribute_notify_amount else 0})  # fmt: skip
    return specs


def receipts_send(entries):
    """donation.counted: a receipt for a paid gift with an address (not for a reversing entry)."""
    _create_and_queue(_receipts(entries, _donations(entries)))


def tribute_notices_send(entries):
    """donation.counted: the one notice to the person the donor named in a dedication (see _tributes)."""
    _create_and_queue(_tributes(entries, _donations(entries)))


def counted_notices_send(entries):
    """donation.counted: receipts_send and tribute_notices_send from one read of the gifts, their notices created
    in one INSERT and sent by one task (what a drain's batch registers)."""
    donations = _donations(entries)
    _create_and_queue(_receipts(entries, donations) + _tributes(entries, donations))


def refund_notices_send(entries):
    """donation.refunded: one notice per new refunded total."""
    donations = _donations(entries)
    specs = []
    for entry in entries:
        donation = donations.get(entry.donation_id)
        amount_refunded = entry.data.get("amount_refunded", 0)
        if donation is None or not donation.donor_email or amount_refunded <= 0:
            continue
        specs.append({"key": f"refund:{donation.pk}:{amount_refunded}", "kind": Notice.Kind.REFUND,
                      "campaign": donation.campaign, "email": donation.donor_email, "donation": donation,
                      "amount": amount_refunded})  # fmt: skip
    _create_and_queue(specs)


def renewal_failures_send(entries):
    """renewal.failed: ask the supporter to update the card, once per attempt Stripe makes."""
    for entry in entries:
        data = entry.data
        first = (
            Donation.objects.filter(stripe_subscription_id=data["subscription_id"])
            .exclude(stripe_subscription_id="")
            .order_by("created_at")
            .first()
        )
        email = data.get("email") or (first.donor_email if first else "")
        campaign_id = entry.campaign_id
        campaign = (
            Campaign.objects.filter(pk=campaign_id).first() if campaign_id else (first.campaign if first else None)
        )
        if campaign is None or not email:
            continue
        _queue(*notice_create(key=f"renewal-failed:{data['invoice_id']}:{data['attempt']}",
                              kind=Notice.Kind.RENEWAL_FAILED, campaign=campaign, email=email,
                              donation=first))  # fmt: skip


REGISTRY = [
    (kinds.DONATION_COUNTED, counted_notices_send),
    (kinds.DONATION_REFUNDED, refund_notices_send),
    (kinds.RENEWAL_FAILED, renewal_failures_send),
]
