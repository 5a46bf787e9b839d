"""A receipt that cannot be sent is retried by beat's sweep at its due time with backoff (never inside the
request that queued it), and once tries run out the owner sees it failed, with the error, and can send it
again."""

import datetime
from unittest import mock

import time_machine
from django.core import mail
from django.utils import timezone

from fundraising.supporters import tasks
from fundraising.supporters.models import Notice
from tests.stripe_standin import events


def test_it_retries_from_the_sweep_then_shows_the_failure_to_the_owner(client, campaign, alice, eager_retries):
    down = mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionRefusedError("smtp down"))
    with down as send:
        events.post_event(client, events.event("checkout.session.completed", events.checkout_session(amount=2500)))
        notice = Notice.objects.get()
        assert (notice.status, notice.attempts, send.call_count) == ("retrying", 1, 1)  # one try in the request
        assert tasks.notices_sweep() == 0  # not due yet: 30 s after the first failure
        waits, tried_at = [], timezone.now()
        for _ in range(tasks.NOTICE_MAX_RETRIES):
            notice.refresh_from_db()
            waits.append(round((notice.due_at - tried_at).total_seconds()))
            tried_at = notice.due_at + datetime.timedelta(seconds=1)
            with time_machine.travel(tried_at, tick=False):
                assert tasks.notices_sweep() == 1
    assert waits == [30, 60, 120, 240, 480, 960]  # each try one more in the sweep, after the backoff
    notice.refresh_from_db()
    assert notice.status == "failed" and send.call_count == notice.attempts == tasks.NOTICE_MAX_RETRIES + 1
    assert "smtp down" in notice.last_error
    client.force_login(alice)
    page = client.get("/admin/supporters/notice/?status__exact=failed").content.decode()
    assert "smtp down" in page and "donor@example.com" in page

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/admin/supporters/notice/", {"action": "send_again", "_selected_action": [notice.pk]})
    notice.refresh_from_db()
    assert notice.status == "sent" and len(mail.outbox) == 1
