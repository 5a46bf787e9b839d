"""The door connects to the address it checked, whatever DNS answers afterwards, and checks again on every try."""

import socket

import pytest

from fundraising.core import outgoing
from tests.loopback import Receiver

PUBLIC = "93.184.216.34"
real_getaddrinfo = socket.getaddrinfo


@pytest.fixture
def receiver():
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def network(monkeypatch):
    """The outside world: a resolver for hooks.example and the TCP connections made, none leaving the machine."""
    state = {"answers": [], "lookups": 0, "connected": []}

    def getaddrinfo(host, port, *args, **kwargs):
        if host != "hooks.example":
            return real_getaddrinfo(host, port, *args, **kwargs)
        answer = state["answers"][min(state["lookups"], len(state["answers"]) - 1)]
        state["lookups"] += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]

    class Socket(socket.socket):
        def connect(self, address):
            state["connected"].append(address[:2])
            if address[0] != "127.0.0.1":
                raise ConnectionRefusedError("the test network reaches only loopback")
            return super().connect(address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "socket", Socket)
    return state


def post(url):
    return outgoing.post(url, body=b"{}", headers={"Content-Type": "application/json"})


def test_it_connects_to_the_checked_address_when_dns_rebinds(settings, receiver, network):
    settings.OUTGOING_ALLOW_PRIVATE = False
    network["answers"] = [PUBLIC, "127.0.0.1"]  # public when checked, loopback for whoever asks next

    with pytest.raises(ConnectionRefusedError):
        post(f"http://hooks.example:{receiver.port}/hook")

    assert receiver.posts == []
    assert network["connected"] == [(PUBLIC, receiver.port)]
    assert network["lookups"] == 1


def test_it_checks_again_on_every_try(settings, receiver, network):
    settings.OUTGOING_ALLOW_PRIVATE = False
    network["answers"] = [PUBLIC, "127.0.0.1"]

    with pytest.raises(ConnectionRefusedError):
        post(f"http://hooks.example:{receiver.port}/hook")
    with pytest.raises(outgoing.OutgoingRefused, match="127.0.0.1"):  # the retry is refused, not sent
        post(f"http://hooks.example:{receiver.port}/hook")

    assert receiver.posts == []
    assert network["connected"] == [(PUBLIC, receiver.port)]


def test_it_names_the_host_while_connecting_to_its_address(settings, receiver, network):
    settings.OUTGOING_ALLOW_PRIVATE = True  # the receiver listens on loopback
    network["answers"] = ["127.0.0.1"]

    assert post(f"http://hooks.example:{receiver.port}/hook?x=1").status == 200

    assert [(p.host, p.path) for p in receiver.posts] == [(f"hooks.example:{receiver.port}", "/hook?x=1")]
    assert network["connected"] == [("127.0.0.1", receiver.port)]
