"""A receipt that cannot be sent is retried, and once retries run out the owner sees it failed, with the
error, and can send it again."""

from unittest import mock

from django.core import mail

from fundraising.supporters import tasks
from fundraising.supporters.models import Notice
from tests.stripe_standin import events


def test_it_retries_then_shows_the_failure_to_the_owner(client, campaign, alice, monkeypatch):
    from fundraising.celery import app

    # Eager Celery replays retries at once (countdowns ignored) only when it does not propagate errors.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionRefusedError("smtp down")):
        events.post_event(client, events.event("checkout.session.completed", events.checkout_session(amount=2500)))
    notice = Notice.objects.get()
    assert notice.status == "failed"
    assert notice.attempts == tasks.NOTICE_MAX_RETRIES + 1
    assert "smtp down" in notice.last_error
    client.force_login(alice)
    page = client.get("/admin/supporters/notice/?status__exact=failed").content.decode()
    assert "smtp down" in page and "donor@example.com" in page

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post("/admin/supporters/notice/", {"action": "send_again", "_selected_action": [notice.pk]})
    notice.refresh_from_db()
    assert notice.status == "sent" and len(mail.outbox) == 1
