"""A milestone webhook connects to the address that was checked, whatever DNS answers afterwards."""

import socket

import pytest

from fundraising.campaigns import milestones
from fundraising.campaigns.models import MilestoneCrossing
from fundraising.campaigns.services import period_for

PUBLIC = "93.184.216.34"
real_getaddrinfo = socket.getaddrinfo


@pytest.fixture
def crossing(campaign):
    return MilestoneCrossing.objects.create(period=period_for(campaign=campaign), amount=500000, label="Target")


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


def test_it_connects_to_the_checked_address_when_dns_rebinds(settings, campaign, crossing, receiver, network):
    settings.MILESTONE_WEBHOOK_ALLOW_PRIVATE = False
    port = receiver.port
    network["answers"] = [PUBLIC, "127.0.0.1"]  # public when checked, loopback for whoever asks next
    campaign.milestone_webhook_url = f"http://hooks.example:{port}/hook"
    campaign.save()

    with pytest.raises(ConnectionRefusedError):
        milestones.crossing_webhook_post(crossing_id=crossing.pk)

    assert receiver.posts == []
    assert network["connected"] == [(PUBLIC, port)]
    assert network["lookups"] == 1


def test_it_checks_again_on_every_retry(settings, campaign, crossing, receiver, network):
    settings.MILESTONE_WEBHOOK_ALLOW_PRIVATE = False
    port = receiver.port
    network["answers"] = [PUBLIC, "127.0.0.1"]
    campaign.milestone_webhook_url = f"http://hooks.example:{port}/hook"
    campaign.save()

    with pytest.raises(ConnectionRefusedError):
        milestones.crossing_webhook_post(crossing_id=crossing.pk)
    assert milestones.crossing_webhook_post(crossing_id=crossing.pk) is None  # the retry is refused, not sent

    assert receiver.posts == []
    assert network["connected"] == [(PUBLIC, port)]


def test_it_names_the_host_while_connecting_to_its_address(settings, campaign, crossing, receiver, network):
    port = receiver.port
    network["answers"] = ["127.0.0.1"]
    hosts = []
    receiver.on_request = hosts.append
    campaign.milestone_webhook_url = f"http://hooks.example:{port}/hook?x=1"
    campaign.save()

    assert milestones.crossing_webhook_post(crossing_id=crossing.pk) == 204

    assert len(receiver.posts) == 1
    assert network["connected"] == [("127.0.0.1", port)]
    assert hosts == [(f"hooks.example:{port}", "/hook?x=1")]
