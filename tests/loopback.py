"""Servers on 127.0.0.1 for tests: an owner's endpoint that records what is POSTed to it, a raw TCP server that
answers however a test needs (slowly, endlessly, wrongly), and a publisher's pages to GET. All bind loopback
only and stop with the test."""

import contextlib
import dataclasses
import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench import servers

free_port = servers.free_port  # for a server started in another process; the benches' own, so there is one


class QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(handler):
    """Serve `handler` (a BaseHTTPRequestHandler class) on 127.0.0.1 at a free port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def pages_served():
    """Yields (pages, origin): each GET of a path in the `pages` dict answers its HTML, any other a 404."""
    pages = {}

    class Handler(QuietHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

    with serving(Handler) as origin:
        yield pages, origin


@dataclasses.dataclass
class Post:
    host: str
    path: str
    headers: dict
    body: bytes

    @property
    def signature(self):
        return self.headers.get("Fundraising-Signature", "")

    @property
    def event(self):
        return self.headers.get("Fundraising-Event", "")

    @property
    def document(self):
        return json.loads(self.body)

    def signed_with(self, secret):
        """Checked as docs/integrations.md tells receivers to: HMAC-SHA256 of "<t>.<body>"."""
        parts = dict(part.split("=", 1) for part in self.signature.split(","))
        expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts["v1"])


class Receiver:
    """An owner's endpoint: records each POST in `posts`, answers a 500 to the first `failures` of them,
    and a `redirect_status` (303 unless set) to `redirect` when set; a request that followed a redirect lands
    in `followed`."""

    def __init__(self):
        self.posts, self.followed, self.failures, self.redirect = [], [], 0, None
        self.redirect_status = 303
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/hook"

    def handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.endswith("-target"):
                    receiver.followed.append(("POST", self.path))
                receiver.posts.append(Post(self.headers["Host"], self.path, dict(self.headers), body))
                if receiver.redirect and not self.path.endswith("-target"):
                    self.send_response(receiver.redirect_status)  # urllib would follow a 303 with a GET
                    self.send_header("Location", receiver.redirect)
                    self.end_headers()
                    return
                status = 500 if receiver.failures > 0 else 200
                receiver.failures -= 1
                self.send_response(status)
                self.end_headers()

            def do_GET(self):
                receiver.followed.append(("GET", self.path))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def request_read(conn):
    """Read one HTTP request (head and Content-Length body) off a server-side connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lengths = [int(line.split(b":")[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")]
    length = lengths[0] if lengths else 0
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@contextlib.contextmanager
def raw_server(answer, *, seconds=5):
    """A TCP server on 127.0.0.1 that reads each request, then calls answer(conn, stop). It stops by itself
    after `seconds` and when the block ends (`stop` is set: an answer that waits with stop.wait() ends then).
    Yields {"port", "requests": what each request read, "sent": bytes the answers got out}."""
    stop, state, threads = threading.Event(), {"requests": [], "sent": 0}, []
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.05)
    state["port"] = listener.getsockname()[1]
    ends_at = time.monotonic() + seconds

    def serve(conn):
        with conn:
            conn.settimeout(seconds)
            try:
                state["requests"].append(request_read(conn))
                answer(conn, stop, state)
            except OSError:
                pass  # the client hung up: what these tests expect of it

    def accept():
        while not stop.is_set() and time.monotonic() < ends_at:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=serve, args=(conn,), daemon=True)
            thread.start()
            threads.append(thread)
        stop.set()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield state
    finally:
        stop.set()
        acceptor.join(timeout=seconds)
        for thread in threads:
            thread.join(timeout=seconds)
        listener.close()
