"""Receipts leave through a real mail provider named by EMAIL_URL (STARTTLS and a login required); a permanent
refusal is not retried and names no address; a server that never answers gives up after EMAIL_TIMEOUT."""

import logging
import socket
import time
from urllib.parse import quote

import pytest

from fundraising import settings as project_settings
from fundraising.supporters.models import Notice
from tests.smtp_helpers import PASSWORD, USER, smtp_server
from tests.stripe_standin import events

DONOR = "donor@example.com"


@pytest.fixture
def smtp(settings, monkeypatch):
    """The server, with the app's mail settings read from an EMAIL_URL the way settings.py reads it."""
    with smtp_server() as (handler, port, cert):
        login = f"{quote(USER, safe='')}:{quote(PASSWORD, safe='')}"
        monkeypatch.setenv("EMAIL_URL", f"smtp+tls://{login}@localhost:{port}")
        for name, value in project_settings.env_email_url("EMAIL_URL").items():
            setattr(settings, name, value)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the throw-away certificate, as an operator's CA
        yield handler


@pytest.fixture
def no_propagation(monkeypatch):
    from fundraising.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


def receipt(client):
    events.post_event(client, events.event("checkout.session.completed", events.checkout_session(amount=2500)))
    return Notice.objects.get()


def test_it_sends_a_receipt_over_starttls_after_logging_in(client, campaign, smtp):
    notice = receipt(client)
    assert notice.status == "sent"
    [message] = smtp.messages
    assert message["to"] == [DONOR] and message["tls"] is True
    assert smtp.logins == [True]
    assert "Receipt" in message["data"]


def test_it_does_not_send_to_a_server_it_cannot_verify(client, campaign, smtp, monkeypatch, no_propagation):
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent")
    notice = receipt(client)
    assert notice.status in ("retrying", "failed") and "SSL" in notice.last_error
    assert smtp.messages == []


def test_it_gives_up_on_a_permanent_refusal_at_once_and_logs_no_address(client, campaign, smtp, caplog):
    smtp.refuse.add(DONOR)
    with caplog.at_level(logging.DEBUG):
        notice = receipt(client)
    assert (notice.status, notice.attempts) == ("failed", 1)
    assert "550" in notice.last_error and DONOR not in notice.last_error
    # The app's records (the stand-in server's own "mail.log" lines are not the app's).
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO and r.name != "mail.log"]
    assert any("refused by the mail server" in line for line in logged)
    assert not [line for line in logged if DONOR in line]


def test_it_gives_up_on_a_silent_server_after_email_timeout(client, campaign, settings, no_propagation, monkeypatch):
    from fundraising.supporters import notices

    monkeypatch.setattr(notices, "NOTICE_MAX_ATTEMPTS", 1)
    with socket.socket() as silent:  # accepts the connection, never says hello
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", silent.getsockname()[1], 1
        started = time.monotonic()
        notice = receipt(client)
    assert time.monotonic() - started < 5
    assert notice.status == "failed" and "timed out" in notice.last_error
