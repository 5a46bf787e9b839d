"""A real SMTP server on loopback (aiosmtpd) that, like a mail provider, requires STARTTLS and a login:
a throw-away certificate for "localhost" made with openssl, messages kept, chosen recipients refused (550)."""

import contextlib
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

USER, PASSWORD = "fundraising@example.org", "s3cret:with/odd@chars"


def certificate(directory):
    """A self-signed certificate and key for localhost; returns (cert path, key path)."""
    cert, key = Path(directory) / "cert.pem", Path(directory) / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


class Handler:
    def __init__(self):
        self.messages, self.refuse, self.logins = [], set(), []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"to": envelope.rcpt_tos, "tls": session.ssl is not None, "login": session.login_data,
                              "data": envelope.content.decode("utf-8", "replace")})  # fmt: skip
        return "250 Message accepted"


def _authenticate(handler):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        handler.logins.append(ok)
        return AuthResult(success=ok)

    return authenticator


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_server():
    """(handler, port, cert path): STARTTLS required before anything, AUTH required before MAIL."""
    with tempfile.TemporaryDirectory() as directory:
        cert, key = certificate(directory)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        handler = Handler()
        port = _free_port()
        controller = Controller(
            handler, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
            auth_required=True, auth_require_tls=True, authenticator=_authenticate(handler),
        )  # fmt: skip
        controller.start()
        try:
            yield handler, port, cert
        finally:
            controller.stop()


@contextlib.contextmanager
def slow_smtp_server(*, byte_every=None, lifetime=30.0):
    """A mail server that holds its clients: it accepts and says nothing (byte_every=None: hung), or keeps
    greeting one byte every `byte_every` seconds and never finishes (each read gets a byte in time, so only
    a deadline on the whole send stops a client). Yields (port, connections accepted). It stops by itself
    after `lifetime` seconds, whatever the test does, and at once when the block ends."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.05)
    port = listener.getsockname()[1]
    stop, accepted, clients = threading.Event(), [], []
    ends_at = time.monotonic() + lifetime

    def serve():
        greeting, sent = b"220-slow.example ESMTP\r\n", 0
        while not stop.is_set() and time.monotonic() < ends_at:
            try:
                client, _address = listener.accept()
                clients.append(client)
                accepted.append(time.monotonic())
            except OSError:
                pass
            if byte_every is not None and clients:
                for client in list(clients):
                    with contextlib.suppress(OSError):
                        client.sendall(greeting[sent % len(greeting) :][:1])
                sent += 1
                stop.wait(byte_every)
        for client in clients:
            client.close()
        listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port, accepted
    finally:
        stop.set()
        thread.join(timeout=5)
