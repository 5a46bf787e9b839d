"""Django's SMTP backend with EMAIL_TIMEOUT as a deadline for a whole send, not for each socket read.

smtplib's timeout bounds one read or write: a server that answers each command just before it (or dribbles
a byte at a time) holds the caller for a dozen of them, and a request that sends a receipt with it. Here a
timer cuts the connection when EMAIL_TIMEOUT has passed since the send began (connecting, greeting, STARTTLS,
login, the message, QUIT), and the send fails with TimeoutError like any passing fault (retried by the sweep).
Name resolution of EMAIL_HOST is the one part it cannot cut (use an address or a local resolver)."""

import contextlib
import smtplib
import socket
import threading

from django.core.mail.backends import smtp


class _Deadline:
    """One send's deadline: once passed, the connection it watches is shut down (a blocked read or write
    returns at once) and no new connection may start."""

    def __init__(self, seconds):
        self.seconds, self.passed, self.lock, self.connection = seconds, False, threading.Lock(), None
        self.timer = threading.Timer(seconds, self.cut)
        self.timer.daemon = True

    def cut(self):
        with self.lock:
            self.passed = True
            sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the raw socket's, also under TLS

    def watch(self, connection, sock):
        with self.lock:
            if self.passed:
                sock.close()
                raise TimeoutError(f"the mail server took more than {self.seconds} s (EMAIL_TIMEOUT)")
            self.connection = connection


def _watched(base, deadline):
    class Watched(base):
        def _get_socket(self, host, port, timeout):
            sock = super()._get_socket(host, port, timeout)
            deadline.watch(self, sock)
            self.sock = sock  # before the greeting is read, so the deadline can cut that read too
            return sock

    return Watched


class EmailBackend(smtp.EmailBackend):
    """send_messages takes at most EMAIL_TIMEOUT (plus the moment to close): past it, TimeoutError."""

    deadline = None

    @property
    def connection_class(self):
        base = super().connection_class
        return base if self.deadline is None else _watched(base, self.deadline)

    def send_messages(self, email_messages):
        if not email_messages or self.timeout is None:
            return super().send_messages(email_messages)
        self.deadline = _Deadline(self.timeout)
        self.deadline.connection = self.connection  # one opened before (`with backend:`) is cut too
        self.deadline.timer.start()
        try:
            return super().send_messages(email_messages)
        except (OSError, smtplib.SMTPException):
            if self.deadline.passed:
                raise TimeoutError(f"the mail server took more than {self.timeout} s (EMAIL_TIMEOUT)") from None
            raise
        finally:
            self.deadline.timer.cancel()
            self.deadline = None
