"""HTTP servers on 127.0.0.1 for tests: an endpoint that records what is POSTed to it, and pages to GET."""

import contextlib
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Post:
    """One POST the receiver got."""

    host: str
    path: str
    signature: str | None  # the Fundraising-Signature header
    event: str | None  # the Fundraising-Event header
    body: bytes

    def json(self):
        return json.loads(self.body)

    def signed_with(self, secret):
        """Whether the signature is ours with `secret`: t=<time>,v1=HMAC-SHA256 of "<time>.<body>" (as Stripe)."""
        parts = dict(part.split("=", 1) for part in self.signature.split(","))
        expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts["v1"])


class Receiver:
    """An endpoint (`url`) that records every POST in `posts` and answers `status`, but 500 to the next
    `failures` posts, and a 303 to `redirect` when that is set. A GET, or a POST to a path ending in "-target",
    sets `followed` (a redirect was followed). `on_request((host, path))` is called as each POST arrives."""

    def __init__(self, *, status=204):
        self.status = status
        self.posts = []
        self.failures = 0
        self.redirect = None
        self.followed = False
        self.on_request = None
        self.url = self.port = None
        self._serving = serving(self._handler())

    def __enter__(self):
        origin = self._serving.__enter__()
        self.port = int(origin.rsplit(":", 1)[1])
        self.url = f"{origin}/hook"
        return self

    def __exit__(self, *exc):
        return self._serving.__exit__(*exc)

    def _handler(receiver):  # noqa: N805 - the handler class closes over the receiver
        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.on_request:
                    receiver.on_request((self.headers["Host"], self.path))
                at_target = self.path.endswith("-target")
                receiver.followed |= at_target
                receiver.posts.append(Post(
                    host=self.headers["Host"], path=self.path, signature=self.headers["Fundraising-Signature"],
                    event=self.headers["Fundraising-Event"], body=body,
                ))  # fmt: skip
                if receiver.redirect and not at_target:
                    self.send_response(303)  # urllib would follow this one with a GET
                    self.send_header("Location", receiver.redirect)
                    self.end_headers()
                    return
                status = 500 if receiver.failures > 0 else receiver.status
                receiver.failures -= 1
                self.send_response(status)
                self.end_headers()

            def do_GET(self):
                receiver.followed = True
                self.send_response(204)
                self.end_headers()

        return Handler
