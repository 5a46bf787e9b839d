"""Without a broker (tasks run in the request that queued them), a hung mail server costs a donation's
webhook or thanks page one try bounded by EMAIL_TIMEOUT, never the retries: the receipt stays due in the
database and beat's sweep sends it later, exactly once."""

import datetime
import time

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from fundraising.payments import stripe_api
from fundraising.supporters import tasks
from fundraising.supporters.models import Notice
from tests.smtp_helpers import slow_smtp_server
from tests.stripe_standin import events

# One try (EMAIL_TIMEOUT = 1 s) and the request's own work; seven tries, or a dribbling server, take longer.
BOUND = 4.0


@pytest.fixture
def hung_mail(settings, eager_retries):
    """The mail server accepts and then answers a byte at a time, never finishing; it stops by itself."""
    with slow_smtp_server(byte_every=0.2, lifetime=30) as (port, accepted):
        settings.EMAIL_BACKEND = "fundraising.core.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
        yield accepted


def mail_back(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def sweep_when_due(notice):
    notice.refresh_from_db()
    with time_machine.travel(notice.due_at + datetime.timedelta(seconds=1), tick=False):
        return tasks.notices_sweep()


def test_a_webhook_waits_for_one_bounded_try_and_the_sweep_sends_the_receipt_once(client, campaign, hung_mail,
                                                                                  settings):  # fmt: skip
    started = time.monotonic()
    response = events.post_event(
        client, events.event("checkout.session.completed", events.checkout_session(amount=2500))
    )
    assert response.status_code == 200 and time.monotonic() - started < BOUND
    notice = Notice.objects.get()
    assert (notice.status, notice.attempts, len(hung_mail)) == ("retrying", 1, 1)
    assert "EMAIL_TIMEOUT" in notice.last_error

    mail_back(settings)
    assert tasks.notices_sweep() == 0  # due 30 s after the failed try
    assert sweep_when_due(notice) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == ("sent", 2)
    assert sweep_when_due(notice) == 0
    tasks.notice_send(str(notice.pk))  # a stray queued try finds it sent
    assert [m.to for m in mail.outbox] == [["donor@example.com"]]


def test_the_thanks_page_waits_for_one_bounded_try(client, campaign, hung_mail, settings, monkeypatch):
    from fundraising.ledger.models import Donation

    settings.STRIPE_SECRET_KEY = "sk_test_thanks"
    pending = Donation.objects.create(campaign=campaign, amount=2500, currency="usd", public_name="Ada",
                                      stripe_checkout_session_id="cs_test_hung")  # fmt: skip
    session = events.checkout_session(amount=2500, donation=pending.id, session_id="cs_test_hung")
    monkeypatch.setattr(stripe_api, "checkout_session_retrieve", lambda *, session_id: dict(session, id=session_id))
    started = time.monotonic()
    with TestCase.captureOnCommitCallbacks(execute=True):  # what follows the commit runs as in production
        response = client.get("/c/lights/thanks/?session_id=cs_test_hung")
    assert response.status_code == 200 and time.monotonic() - started < BOUND
    notice = Notice.objects.get()
    assert (notice.status, notice.attempts) == ("retrying", 1)

    mail_back(settings)
    assert sweep_when_due(notice) == 1
    assert len(mail.outbox) == 1 and Notice.objects.get().status == "sent"


def test_a_brokerless_sweep_starts_no_try_past_its_time(campaign, hung_mail, monkeypatch):
    from fundraising.supporters.notices import notice_create

    for n in range(3):
        notice_create(key=f"receipt-test:{n}", kind=Notice.Kind.MANAGE_LINK, campaign=campaign,
                      email=f"donor{n}@example.com")  # fmt: skip
    monkeypatch.setattr(tasks, "INLINE_SWEEP_SECONDS", 0.5)
    monkeypatch.setattr("fundraising.supporters.notices.address_gave", lambda notice: True)
    started = time.monotonic()
    assert tasks.notices_sweep() == 1  # one try (1 s), then the sweep stops: the others stay due
    assert time.monotonic() - started < 2.5
    assert Notice.objects.filter(status="queued").count() == 2


@pytest.mark.worker
@pytest.mark.postgres
def test_with_a_worker_the_failed_try_is_kept_on_the_row_and_survives_losing_redis(celery_workers, redis_url,
                                                                                   campaign, client):  # fmt: skip
    """On Redis the request never waits for mail at all; the worker's failed try is written on the row (its
    due time), so when the queued retry is lost with Redis's data the sweep still sends the receipt, once."""
    import redis

    from tests.worker import wait_for

    with slow_smtp_server(byte_every=0.2, lifetime=60) as (port, accepted):
        mail_env = {"EMAIL_BACKEND": "", "EMAIL_URL": f"smtp://127.0.0.1:{port}", "EMAIL_TIMEOUT": "1"}
        hung = celery_workers(extra_env=mail_env)  # what settings.py makes of EMAIL_URL: core/smtp.py's backend
        started = time.monotonic()
        evt = events.event("checkout.session.completed", events.checkout_session(amount=2500))
        assert events.post_event(client, evt, processed=False).status_code == 200
        assert time.monotonic() - started < BOUND
        wait_for(lambda: Notice.objects.filter(status="retrying").exists(), 40,
                 f"no failed try recorded:\n{hung.output()[-3000:]}")  # fmt: skip
        notice = Notice.objects.get()
        assert notice.attempts == 1 and "EMAIL_TIMEOUT" in notice.last_error and len(accepted) == 1
        hung.stop()
    redis.Redis.from_url(redis_url).flushdb()  # the retry queued with its countdown is gone

    worker = celery_workers()  # a worker whose mail works (the console backend)
    assert sweep_when_due(notice) == 0  # with a broker the sweep leaves a minute to the queued retry
    notice.refresh_from_db()
    with time_machine.travel(notice.due_at + datetime.timedelta(seconds=61), tick=False):
        assert tasks.notices_sweep() == 1
    wait_for(lambda: Notice.objects.get(pk=notice.pk).status == "sent", 30,
             f"the receipt was never sent:\n{worker.output()[-3000:]}")  # fmt: skip
    assert worker.output().count("To: donor@example.com") == 1
