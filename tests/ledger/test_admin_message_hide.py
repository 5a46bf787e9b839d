"""Owners and editors take a supporter's message off the wall from the donation list; viewers cannot,
and nobody can for another organisation's gifts."""

import json

import pytest

from fundraising.campaigns.services import owner_add
from fundraising.ledger.models import Donation
from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory, UserFactory

LIST = "/admin/ledger/donation/"


@pytest.fixture
def wall(transactional_db, organization, widget_root, charlie):
    campaign = CampaignFactory(organization=organization, slug="lights", supporters_wall=True)
    victor = UserFactory(username="victor")
    owner_add(organization=organization, user=victor, role="viewer")
    elsewhere = CampaignFactory(organization=OrganizationFactory(name="Charlie's club"), slug="other")
    owner_add(organization=elsewhere.organization, user=charlie)
    spam = DonationFactory(campaign=campaign, public_name="Mallory", message="Buy cheap pills")
    foreign = DonationFactory(campaign=elsewhere, public_name="Eve", message="Not yours")
    return {"campaign": campaign, "spam": spam, "foreign": foreign, "victor": victor}


def hide(client, user, donation, action="message_hide"):
    client.force_login(user)
    return client.post(LIST, {"action": action, "_selected_action": [str(donation.pk)]})


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_owners_and_editors_hide_a_message_and_the_wall_follows(client, wall, name, alice, bob):
    user = {"alice": alice, "bob": bob}[name]
    response = hide(client, user, wall["spam"])
    assert response.status_code == 302
    assert Donation.objects.get(pk=wall["spam"].pk).message_hidden
    document = json.loads(client.get("/w/lights/supporters.json").content)
    assert [s["name"] for s in document["supporters"]] == ["Mallory"]
    assert "message" not in document["supporters"][0]
    hide(client, user, wall["spam"], action="message_show")
    assert b"cheap pills" in client.get("/w/lights/supporters.json").content


def test_a_viewer_cannot_hide_a_message(client, wall):
    client.force_login(wall["victor"])
    page = client.get(LIST).content.decode()
    assert "message_hide" not in page
    hide(client, wall["victor"], wall["spam"])
    assert not Donation.objects.get(pk=wall["spam"].pk).message_hidden


def test_nobody_hides_another_organisations_message(client, wall, alice):
    hide(client, alice, wall["foreign"])
    assert not Donation.objects.get(pk=wall["foreign"].pk).message_hidden


def test_the_list_says_how_many_messages_left_or_came_back(client, wall, alice):
    hidden = hide(client, alice, wall["spam"])
    page = client.get(hidden["Location"]).content.decode()
    assert '<li class="success">1 message(s) hidden from the supporters wall.</li>' in page
    shown = hide(client, alice, wall["spam"], action="message_show")
    page = client.get(shown["Location"]).content.decode()
    assert '<li class="success">1 message(s) shown again on the supporters wall.</li>' in page


@pytest.mark.parametrize("name", ["alice", "bob"])
def test_owners_and_editors_hide_a_name_and_the_wall_follows(client, wall, name, alice, bob):
    user = {"alice": alice, "bob": bob}[name]
    assert hide(client, user, wall["spam"], action="name_hide").status_code == 302
    document = json.loads(client.get("/w/lights/supporters.json").content)
    assert [(s["name"], s["anonymous"], s["message"]) for s in document["supporters"]] == [
        (None, True, "Buy cheap pills")
    ]
    hide(client, user, wall["spam"], action="name_show")
    assert b"Mallory" in client.get("/w/lights/supporters.json").content


def test_a_viewer_cannot_hide_a_name(client, wall):
    hide(client, wall["victor"], wall["spam"], action="name_hide")
    assert not Donation.objects.get(pk=wall["spam"].pk).name_hidden
