"""Celery entry points for supporters: take ids, call one service.

- notice_send: render and send one e-mail; retried with backoff (without a broker: by beat's sweep, at the
  row's due_at), then marked failed for the owner
- notices_send: the notices one dispatch created (a drain's receipts), one task for the lot
- statements_send: an owner's yearly statement run (fundraising/supporters/statements.py)
"""

import datetime
import logging
import time

from celery import shared_task
from django.utils import timezone

from . import notices, statements
from .models import Notice, StatementRun

log = logging.getLogger(__name__)

# Kept for tests and docs that count retries: the tries after the first.
NOTICE_MAX_RETRIES = notices.NOTICE_MAX_ATTEMPTS - 1


# Without a broker the sweep sends in the process that ran it (after a response was sent): it starts no new
# try after this long, so one sweep holds that process for at most this plus one send's EMAIL_TIMEOUT.
INLINE_SWEEP_SECONDS = 20

# A batch marks what it sent at least this often (and at its end): a process killed mid-batch sends again only the
# receipts of its last seconds, and a slow mail server never keeps a sent receipt unmarked until its claim ends.
SENT_MARK_SECONDS = 2.0


@shared_task(bind=True, acks_late=True, max_retries=None)
def notice_send(self, notice_id):
    """One try; a failure is retried with backoff (the count lives on the row, so a try queued by the sweep
    continues it), then marked failed for the owners. The retry is always scheduled: by the broker's countdown,
    or without one by the row's due_at that beat's sweep reads, never run here and now (an eager retry would
    run at once, inside the request that queued the notice)."""
    try:
        notices.notice_deliver(notice_id=notice_id)
    except notices.NoticeRefused as exc:  # marked failed already; the text names no address
        log.warning("notice %s refused by the mail server: %s", notice_id, exc)
        return
    except notices.NoticeFailed as exc:
        if exc.attempts >= notices.NOTICE_MAX_ATTEMPTS:
            log.error("notice %s failed for good: %s", notice_id, exc)
            notices.notice_give_up(notice_id=notice_id, error=str(exc))
            return
        if notices_brokerless():
            log.warning("notice %s failed (try %s), due again in %s s: %s", notice_id, exc.attempts, exc.retry_in, exc)
            return
        raise self.retry(exc=exc, countdown=exc.retry_in) from exc


@shared_task(acks_late=True, ignore_result=True)
def notices_send(notice_ids):
    """notice_send's first try for several notices (Celery's cost paid once per batch, the claims and the reads
    once too, the e-mails rendered per language with each template looked up once, the sent ones marked together
    every SENT_MARK_SECONDS and at the end: a crash sends those of its last seconds again, never zero times); one
    that fails continues in its
    own retrying notice_send, so it never holds back the others.
    Without a broker this runs inside the request that counted the gifts: after one failed try the rest are let
    go for beat's sweep (a mail server that failed once would hold the request for every one), and no retry
    runs here (its due_at is on the row)."""
    claimed = notices.notices_claim(notice_ids=notice_ids)
    rendered = notices.notices_render(claimed)
    sent = []
    try:
        notices_deliver(claimed, rendered=rendered, sent=sent)
    finally:
        notices.notices_sent(notice_ids=sent)


def notices_deliver(claimed, *, rendered, sent):
    """notices_send's tries, one notice at a time; the ids of those sent are appended to `sent`, and marked sent
    (then taken out of it) whenever SENT_MARK_SECONDS have passed since the last mark."""
    brokerless = notices_brokerless()
    marked_at = time.monotonic()
    for index, notice in enumerate(claimed):
        notice_id = str(notice.pk)
        if sent and time.monotonic() - marked_at >= SENT_MARK_SECONDS:
            notices.notices_sent(notice_ids=sent)
            sent.clear()
            marked_at = time.monotonic()
        try:
            notices.notice_deliver_claimed(notice, rendered=rendered.get(notice.pk), sent=sent)
            continue
        except notices.NoticeRefused as exc:
            log.warning("notice %s refused by the mail server: %s", notice_id, exc)
            continue
        except notices.NoticeFailed as exc:
            if not brokerless:
                notice_send.apply_async((notice_id,), countdown=exc.retry_in)
                continue
            log.warning("notice %s failed (try %s), due again in %s s: %s", notice_id, exc.attempts, exc.retry_in, exc)
        except Exception:
            log.warning("notice %s failed, retrying in its own task", notice_id, exc_info=True)
            notices.notice_release(notice_id=notice_id)
            if not brokerless:
                notice_send.apply_async((notice_id,), countdown=2)
                continue
        for rest in claimed[index + 1 :]:  # brokerless, after a failure: beat's sweep sends them
            notices.notice_release(notice_id=str(rest.pk))
        return


def notices_send_enqueue(notice_ids):
    """Queue the first try of new notices: one notice_send, or one notices_send for several."""
    notice_ids = [str(notice_id) for notice_id in notice_ids]
    if len(notice_ids) == 1:
        notice_send.delay(notice_ids[0])
    elif notice_ids:
        notices_send.delay(notice_ids)


def notices_brokerless():
    """No broker (the embedded default): a queued task would run inside the request that queued it."""
    return notice_send.app.conf.task_always_eager


@shared_task(acks_late=True, ignore_result=True)
def notices_sweep():
    """Beat, every minute. With a broker: notices whose queued send was lost (Redis emptied or restarted without
    its data, a worker killed) are queued again. Without one: every due notice is tried here (manage links among
    them, and the retries of those whose try failed), for at most INLINE_SWEEP_SECONDS. The claim in
    notice_deliver keeps a notice from going out twice."""
    if not notices_brokerless():
        due = notices.notices_due()
        for notice_id in due:
            notice_send.delay(str(notice_id))
        return len(due)
    stop_at = time.monotonic() + INLINE_SWEEP_SECONDS
    due = notices.notices_due(grace=datetime.timedelta(0))
    for count, notice_id in enumerate(due):
        if time.monotonic() >= stop_at:
            return count  # the rest stay due: the next sweep goes on
        notice_send.apply(args=(str(notice_id),))
    return len(due)


@shared_task(acks_late=True)
def statements_send(run_id):
    """Queue one statement e-mail per supporter (each at most once per year), counting progress as it goes.
    Run again after a crash, it queues only the statements not created yet."""
    run = StatementRun.objects.select_related("organization").get(pk=run_id)
    recipients = statements.statement_recipients(organization=run.organization, year=run.year)
    statements.statement_run_progress(run_id=run.pk, total=len(recipients), done=0, started_at=timezone.now())
    for email, campaign in recipients:
        notice, created = notices.notice_create(
            key=f"statement:{run.organization_id}:{run.year}:{email}",
            kind=Notice.Kind.STATEMENT,
            campaign=campaign,
            email=email,
            year=run.year,
        )
        if created:  # a re-run counts only what it queued itself
            notice_send.delay(str(notice.pk))
            statements.statement_run_step(run_id=run.pk)
    statements.statement_run_progress(run_id=run.pk, finished_at=timezone.now())
