"""A notice's life outside a plain send: a manage link asked for an address that gave elsewhere only, giving
up (never on a sent notice), and an owner's "Send again"."""

import datetime

from django.core import mail
from django.utils import timezone

from fundraising.supporters.models import Notice
from fundraising.supporters.notices import notice_deliver, notice_give_up, notice_resend, notices_due
from fundraising.supporters.views import manage_link_request
from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory


def test_a_manage_link_goes_only_to_an_address_that_gave_to_this_organisation(campaign):
    """Grace gave to another organisation only: asking this one's form mails her nothing and leaves no row."""
    DonationFactory(campaign=CampaignFactory(organization=OrganizationFactory(), slug="bees"),
                    donor_email="grace@example.com")  # fmt: skip
    notice = manage_link_request(campaign=campaign, email="grace@example.com")
    assert notice.amount == 0  # about no gift
    assert notice_deliver(notice_id=notice.pk) is None
    assert mail.outbox == [] and not Notice.objects.exists()


def notice(campaign, **fields):
    return Notice.objects.create(key=f"receipt:{Notice.objects.count()}", kind=Notice.Kind.RECEIPT, campaign=campaign,
                                 email="ann@example.com", amount=2500, **fields)  # fmt: skip


def test_giving_up_leaves_a_sent_notice_sent_and_keeps_2000_characters_of_the_error(campaign):
    sent = notice(campaign, status=Notice.Status.SENT, sent_at=timezone.now())
    notice_give_up(notice_id=sent.pk, error="too late")
    sent.refresh_from_db()
    assert (sent.status, sent.last_error) == (Notice.Status.SENT, "")

    retrying = notice(campaign, status=Notice.Status.RETRYING, attempts=6)
    notice_give_up(notice_id=retrying.pk, error="x" * 1999 + "yz")
    retrying.refresh_from_db()
    assert (retrying.status, retrying.last_error, retrying.attempts) == (Notice.Status.FAILED, "x" * 1999 + "y", 6)


def test_send_again_queues_it_now_without_its_error(campaign):
    failed = notice(campaign, status=Notice.Status.FAILED, last_error="550 mailbox unavailable",
                    due_at=timezone.now() - datetime.timedelta(days=2))  # fmt: skip
    notice_resend(notice_id=failed.pk)
    failed.refresh_from_db()
    assert (failed.status, failed.last_error) == (Notice.Status.QUEUED, "")
    now = timezone.now()
    assert notices_due(now=now) == []  # its queued send has the sweep's grace minute first
    assert notices_due(now=now + datetime.timedelta(seconds=61)) == [failed.pk]


def test_send_again_takes_a_notice_back_from_a_worker_that_died_holding_it(campaign):
    gift = DonationFactory(campaign=campaign, donor_email="ann@example.com", amount=2500)
    stuck = notice(campaign, donation=gift, claimed_until=timezone.now() + datetime.timedelta(minutes=4))
    notice_resend(notice_id=stuck.pk)
    assert notice_deliver(notice_id=stuck.pk) is not None
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]


def test_a_notice_sent_after_a_failed_try_is_marked_sent_and_free(campaign):
    gift = DonationFactory(campaign=campaign, donor_email="ann@example.com", amount=2500)
    retried = notice(campaign, donation=gift, status=Notice.Status.RETRYING, attempts=1, last_error="421 try later")
    before = timezone.now()
    assert notice_deliver(notice_id=retried.pk) is not None
    retried.refresh_from_db()
    assert (retried.status, retried.attempts, retried.last_error, retried.claimed_until) == (Notice.Status.SENT, 2, "",
                                                                                             None)  # fmt: skip
    assert before <= retried.sent_at <= timezone.now()
