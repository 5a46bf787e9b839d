"""One send of a held notice: the message as it leaves (sender, address, subject, text and its HTML part), a batch's
rendering used as given, a failed try recorded for the sweep (attempt, error, due time) and reported to the task,
a refusal for good, and a dedication whose gift no longer stands given up with its reason."""

import datetime
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail

from fundraising.supporters import notices
from fundraising.supporters.models import Notice
from tests.factories import DonationFactory

NOW = datetime.datetime(2026, 3, 14, 12, 0, tzinfo=datetime.UTC)


def receipt(campaign, **fields):
    gift = DonationFactory(campaign=campaign, amount=2500, donor_email="ann@example.com")
    return Notice.objects.create(key=f"receipt:{gift.pk}", kind="receipt", campaign=campaign, donation=gift,
                                 email="ann@example.com", amount=2500, **fields)  # fmt: skip


def failing(error):
    return mock.patch.object(mail.EmailMultiAlternatives, "send", side_effect=error)


def test_the_message_leaves_from_the_site_to_the_notice_address_with_its_html(campaign, settings):
    settings.DEFAULT_FROM_EMAIL = "gifts@example.net"
    notice = receipt(campaign)
    subject, text, html = notices.notice_render(notice)
    assert notices.notice_deliver_claimed(notice) == notice
    [message] = mail.outbox
    assert (message.from_email, message.to, message.subject, message.body) == (
        "gifts@example.net", ["ann@example.com"], subject, text
    )  # fmt: skip
    assert message.alternatives == [(html, "text/html")]
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 1)


def test_a_batchs_rendering_is_sent_as_given_and_left_for_the_batch_to_mark(campaign):
    notice, other = receipt(campaign), receipt(campaign)
    sent = [other.pk]
    notices.notice_deliver_claimed(notice, rendered=("Subject", "Text", "<p>HTML</p>"), sent=sent)
    [message] = mail.outbox
    assert (message.subject, message.body, message.alternatives) == ("Subject", "Text", [("<p>HTML</p>", "text/html")])
    assert sent == [other.pk, notice.pk]
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("queued", 0)


@time_machine.travel(NOW, tick=False)
def test_a_failed_try_is_counted_and_due_again_after_its_wait(campaign):
    notice = receipt(campaign, attempts=2, claimed_until=NOW + datetime.timedelta(minutes=5))
    with failing(smtplib.SMTPResponseException(421, b"busy, try later")), pytest.raises(notices.NoticeFailed) as failed:
        notices.notice_deliver_claimed(notice)
    assert (str(failed.value), failed.value.attempts, failed.value.retry_in) == (
        "SMTPResponseException: 421 busy, try later", 3, 120
    )  # fmt: skip
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error, notice.claimed_until, notice.due_at) == (
        "retrying", 3, "SMTPResponseException: 421 busy, try later", None, NOW + datetime.timedelta(seconds=120)
    )  # fmt: skip


@time_machine.travel(NOW, tick=False)
def test_a_refusal_for_good_fails_the_notice_at_once(campaign):
    notice = receipt(campaign, attempts=1)
    refusal = smtplib.SMTPResponseException(550, b"no such mailbox")
    with failing(refusal), pytest.raises(notices.NoticeRefused) as refused:
        notices.notice_deliver_claimed(notice)
    assert str(refused.value) == "SMTPResponseException: 550 no such mailbox"
    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == (
        "failed", 2, "SMTPResponseException: 550 no such mailbox"
    )  # fmt: skip


def test_a_dedication_whose_gift_was_refunded_is_given_up_with_its_reason(campaign):
    gift = DonationFactory(campaign=campaign, status="refunded", amount_refunded=1000, tribute_kind="memory",
                           tribute_name="Ada Lovelace", tribute_notify_email="grace@example.org")  # fmt: skip
    notice = Notice.objects.create(key=f"tribute:{gift.pk}", kind="tribute", campaign=campaign, donation=gift,
                                   email="grace@example.org")  # fmt: skip
    assert notices.notice_deliver_claimed(notice) is None
    assert mail.outbox == []
    notice.refresh_from_db()
    assert (notice.status, notice.last_error) == (
        "failed", "Not sent: the gift was refunded, disputed, reversed or erased."
    )  # fmt: skip
