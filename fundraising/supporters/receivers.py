"""Receivers of the lower layers' signals (connected in SupportersConfig.ready): each creates at most
one Notice per fact and queues its sending."""

from fundraising.campaigns.models import Campaign
from fundraising.ledger.models import Donation

from .models import Notice
from .notices import notice_create


def _queue(notice, created):
    from .tasks import notice_send

    if created:
        notice_send.delay_on_commit(str(notice.pk))


def donation_counted_receive(sender, *, donation_id, **kwargs):
    donation = Donation.objects.select_related("campaign").filter(pk=donation_id).first()
    if donation is None or donation.paid_at is None or not donation.donor_email:
        return
    _queue(*notice_create(key=f"receipt:{donation.pk}", kind=Notice.Kind.RECEIPT, campaign=donation.campaign,
                          email=donation.donor_email, donation=donation, amount=donation.amount))  # fmt: skip


def donation_refunded_receive(sender, *, donation_id, amount_refunded, **kwargs):
    donation = Donation.objects.select_related("campaign").filter(pk=donation_id).first()
    if donation is None or not donation.donor_email or amount_refunded <= 0:
        return
    _queue(*notice_create(key=f"refund:{donation.pk}:{amount_refunded}", kind=Notice.Kind.REFUND,
                          campaign=donation.campaign, email=donation.donor_email, donation=donation,
                          amount=amount_refunded))  # fmt: skip


def renewal_failed_receive(sender, *, invoice_id, attempt, subscription_id, email, campaign_id, **kwargs):
    first = (
        Donation.objects.filter(stripe_subscription_id=subscription_id)
        .exclude(stripe_subscription_id="")
        .order_by("created_at")
        .first()
    )
    email = email or (first.donor_email if first else "")
    campaign = Campaign.objects.filter(pk=campaign_id).first() if campaign_id else (first.campaign if first else None)
    if campaign is None or not email:
        return
    _queue(*notice_create(key=f"renewal-failed:{invoice_id}:{attempt}", kind=Notice.Kind.RENEWAL_FAILED,
                          campaign=campaign, email=email, donation=first))  # fmt: skip
