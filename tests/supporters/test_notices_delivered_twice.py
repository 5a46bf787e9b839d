"""A notice's send task can arrive twice (the broker redelivers after a lost ack, the sweep re-queues):
a notice already sent never goes out again."""

from django.core import mail

from fundraising.supporters import tasks
from fundraising.supporters.models import Notice
from tests.stripe_standin import events


def test_a_sent_notice_delivered_again_sends_no_second_email(client, campaign):
    events.post_event(client, events.event("checkout.session.completed", events.checkout_session(amount=2500)))
    notice = Notice.objects.get()
    assert notice.status == "sent" and len(mail.outbox) == 1

    tasks.notice_send(str(notice.pk))  # the same task, redelivered
    tasks.notice_send.delay(str(notice.pk))

    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 1)
