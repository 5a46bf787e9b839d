"""The one door for outgoing HTTP to URLs that others chose (owners' endpoints): the address check, a
connection pinned to the checked address, one deadline per attempt, a cap on what is read, no redirect."""

import dataclasses
import functools
import http.client
import io
import ipaddress
import socket
import ssl
import time
import urllib.parse

from django.conf import settings

MAX_BODY_BYTES = 64 * 1024  # of the answer's body; the rest is never read
MAX_HEAD_BYTES = 64 * 1024  # status line and headers, and whatever arrives with them

# Never connected to, whatever `ipaddress` in this Python version thinks of them: internal, shared and
# reserved ranges, multicast, and the IPv6 prefixes that carry an IPv4 address (a way back to 127.0.0.1).
DENIED_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, where cloud metadata answers
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "198.51.100.0/24",
        "203.0.113.0/24",
        "192.88.99.0/24",  # 6to4 relays
        "198.18.0.0/15",  # benchmarking
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "::/96",  # IPv4-compatible (deprecated), with :: and ::1
        "::ffff:0:0/96",  # IPv4-mapped
        "::ffff:0:0:0/96",  # IPv4-translated
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard
        "2001::/23",  # IETF protocol assignments, Teredo among them
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation (RFC 9637)
        "5f00::/16",  # segment routing (SRv6) SIDs (RFC 9602): never a web server's address
        "2002::/16",  # 6to4
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class OutgoingRefused(ValueError):
    """Not an http(s) URL, or one that leads into our own network: never retried."""


class AnswerUnreadable(OSError):
    """What came back is not an HTTP answer, or its headers are too large: a failure like any network one."""


@dataclasses.dataclass(frozen=True)
class Target:
    """Where a request goes: the URL's parts and the one checked address it connects to."""

    scheme: str
    hostname: str
    port: int
    address: str
    path: str


@dataclasses.dataclass(frozen=True)
class Response:
    status: int
    body: bytes  # at most MAX_BODY_BYTES (or the max_body asked for)


def embedded_ipv4(address):
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64, IPv4-compatible), or None."""
    if address.version != 6:
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64 or address in IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(address.packed[-4:])
    return None


def address_refusal(address):
    """Why no request may go to this address, or "" when it is a public unicast one."""
    inner = embedded_ipv4(address)
    if inner is not None and (reason := address_refusal(inner)):
        return f"it carries {inner}, {reason}"
    for network in DENIED_NETWORKS:
        if address in network:
            return f"it is in {network}"
    if address.is_multicast or not address.is_global:
        return "it is not a public unicast address"
    return ""


def url_check(url):
    """Resolve the URL's host once and check every address: the worker must not become a way into localhost,
    the LAN or cloud metadata. The request connects to the returned address, so a DNS answer that changes
    between the check and the connection (rebinding) cannot move it elsewhere. OUTGOING_ALLOW_PRIVATE skips
    the address check (local setups and tests), never the pinning."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise OutgoingRefused(f"{url!r} is not an http(s) URL")
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError as exc:
        raise OutgoingRefused(f"{url!r} has a bad port") from exc
    try:
        infos = socket.getaddrinfo(parsed.hostname, port, proto=socket.IPPROTO_TCP)
    except UnicodeError as exc:
        raise OutgoingRefused(f"{parsed.hostname!r} is not a host name") from exc
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {parsed.hostname}: {exc}") from exc  # retried: DNS may come back
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    for address in addresses:
        reason = address_refusal(address)
        if reason and not settings.OUTGOING_ALLOW_PRIVATE:
            raise OutgoingRefused(f"{parsed.hostname} resolves to {address}, refused: {reason}")
    path = urllib.parse.urlunsplit(("", "", parsed.path or "/", parsed.query, ""))
    return Target(parsed.scheme, parsed.hostname, port, str(addresses[0]), path)


def time_left(deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("no complete answer before the deadline")
    return left


@functools.cache
def tls_context():
    return ssl.create_default_context()


def address_connect(target, deadline):
    """A connection to the checked address (no name lookup here), TLS checked against the URL's host name."""
    family = socket.AF_INET6 if ipaddress.ip_address(target.address).version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(time_left(deadline))
        sock.connect((target.address, target.port))
        if target.scheme == "https":
            # The handshake's reads and writes share this one timeout (CPython's ssl counts it down).
            sock.settimeout(time_left(deadline))
            sock = tls_context().wrap_socket(sock, server_hostname=target.hostname)
    except BaseException:
        sock.close()
        raise
    return sock


class Channel:
    """All http.client sees of the socket. Each send and receive waits only until the attempt's deadline, so
    an answer dripped a byte at a time is cut there; `limit` caps the bytes received (None: no cap)."""

    def __init__(self, sock, deadline, limit=None):
        self.sock, self.deadline, self.limit, self.received = sock, deadline, limit, 0

    def sendall(self, data):
        view = memoryview(data)
        while view:
            self.sock.settimeout(time_left(self.deadline))
            view = view[self.sock.send(view) :]

    def recv_into(self, buffer, nbytes=0):
        self.sock.settimeout(time_left(self.deadline))
        view = memoryview(buffer)[: nbytes or None]
        if self.limit is not None:
            if self.received >= self.limit:
                raise AnswerUnreadable(f"no end of the headers in the first {self.limit} bytes")
            view = view[: self.limit - self.received]
        count = self.sock.recv_into(view)
        self.received += count
        return count

    def makefile(self, mode="rb", *args, **kwargs):
        return io.BufferedReader(ChannelReader(self))

    def close(self):
        """The socket belongs to whoever made the channel (exchange closes it)."""


class ChannelReader(io.RawIOBase):
    def __init__(self, channel):
        self.channel = channel

    def readable(self):
        return True

    def readinto(self, buffer):
        return self.channel.recv_into(buffer)


class PinnedConnection(http.client.HTTPConnection):
    """http.client over a channel already connected to the checked address; the Host header names the host."""

    def __init__(self, target, channel):
        super().__init__(target.hostname, target.port)
        self.default_port = 443 if target.scheme == "https" else 80  # Host names the port only when unusual
        self.sock = channel

    def connect(self):
        raise http.client.NotConnected("a pinned connection never connects again")


def exchange(target, method, *, body, headers, deadline, max_body):
    """One request to the checked address and its answer, read until the deadline and up to max_body bytes."""
    sock = address_connect(target, deadline)
    try:
        channel = Channel(sock, deadline, limit=MAX_HEAD_BYTES)
        connection = PinnedConnection(target, channel)
        connection.request(method, target.path, body=body, headers=headers)
        response = connection.getresponse()
        channel.limit = None  # the body read stops itself at max_body, the deadline bounds the rest
        return Response(status=response.status, body=response.read(max_body))
    except OSError:
        raise
    except http.client.HTTPException as exc:
        raise AnswerUnreadable(f"not an HTTP answer: {exc!r}") from exc
    finally:
        sock.close()


def post(url, *, body, headers, timeout=None, max_body=MAX_BODY_BYTES):
    """POST `body` once to the URL's checked address: its answer, with no redirect followed (a 3xx is an
    answer). The attempt ends within `timeout` seconds (OUTGOING_TIMEOUT_SECONDS) of the call, name resolution
    aside (the system resolver's own timeouts bound that, and the time it takes counts against the rest).

    Raises OutgoingRefused for a URL that must never be tried, OSError for a failure worth retrying
    (TimeoutError at the deadline, AnswerUnreadable for what is not HTTP)."""
    deadline = time.monotonic() + (timeout or settings.OUTGOING_TIMEOUT_SECONDS)
    target = url_check(url)
    return exchange(target, "POST", body=body, headers=headers, deadline=deadline, max_body=max_body)
