"""EMAIL_TIMEOUT bounds a whole send, not each read: a server that keeps the connection busy a byte at a
time (every read gets something in time) is cut when the deadline passes."""

import ssl
import time

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as DjangoBackend

from fundraising.core.smtp import EmailBackend
from tests.smtp_helpers import PASSWORD, USER, slow_smtp_server, smtp_server


def message():
    return EmailMessage("Receipt", "Thank you.", "fundraising@example.org", ["donor@example.com"])


def test_it_cuts_a_dribbling_server_at_the_deadline():
    with slow_smtp_server(byte_every=0.1, lifetime=20) as (port, accepted):
        backend = EmailBackend(host="127.0.0.1", port=port, timeout=1)
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="EMAIL_TIMEOUT"):
            backend.send_messages([message()])
        assert time.monotonic() - started < 2.5
        assert len(accepted) == 1


def test_it_cuts_a_silent_server_at_the_deadline():
    with slow_smtp_server(lifetime=20) as (port, _accepted):
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            EmailBackend(host="127.0.0.1", port=port, timeout=1).send_messages([message()])
        assert time.monotonic() - started < 2.5


def test_djangos_own_backend_waits_as_long_as_the_server_dribbles():
    """Why the deadline: the per-read timeout alone is held until the server lets go (here after 3 s)."""
    with slow_smtp_server(byte_every=0.1, lifetime=3) as (port, _accepted):
        started = time.monotonic()
        with pytest.raises(Exception):  # noqa: B017 -- whatever the closed connection raises
            DjangoBackend(host="127.0.0.1", port=port, timeout=1).send_messages([message()])
        assert time.monotonic() - started >= 2.5


def test_it_sends_through_a_server_that_answers():
    with smtp_server() as (handler, port, cert):
        backend = EmailBackend(host="localhost", port=port, username=USER, password=PASSWORD, use_tls=True, timeout=5)
        backend.__dict__["ssl_context"] = ssl.create_default_context(cafile=str(cert))
        assert backend.send_messages([message()]) == 1
    assert [m["to"] for m in handler.messages] == [["donor@example.com"]]
