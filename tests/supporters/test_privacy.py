"""GDPR: an owner exports one supporter's data, and erasure removes them from every public and
owner-visible place while every total, and the widgets' bytes, stay exactly the same."""

import json
import re

import pytest
from django.core.management import call_command
from django.test import TestCase

from fundraising.campaigns.services import period_for
from fundraising.ledger.models import Donation
from fundraising.ledger.services import ledger_changed, period_recompute
from fundraising.payments.models import StripeEvent, SubscriptionState
from fundraising.supporters.models import Notice
from fundraising.supporters.privacy import supporter_erase, supporter_export
from fundraising.widgets.services import snapshot_refresh
from tests.factories import DonationFactory
from tests.supporter_helpers import monthly_gift


@pytest.fixture
def supporter(client, campaign, widget_root):
    """Grace gave twice this month (once monthly through Stripe's events) with her name and a message."""
    period = period_for(campaign=campaign)
    DonationFactory(campaign=campaign, period=period, amount=2500, donor_email="grace@example.com",
                    public_name="Grace Hopper", message="For the servers")  # fmt: skip
    DonationFactory(campaign=campaign, period=period, amount=4000, donor_email="ada@example.com", public_name="Ada")
    monthly_gift(client, campaign, email="Grace@Example.com")
    return "grace@example.com"


def widget_bytes(client):
    """The widgets as served; their refresh time aside (it says when, not what)."""
    served = {fmt: client.get(f"/w/lights{fmt}").content for fmt in (".json", ".svg", "/")}
    served["/"] = re.sub(rb"<time datetime=[^<]*</time>", b"<time/>", served["/"])
    document = json.loads(served[".json"])
    document.pop("updated_at")
    served[".json"] = json.dumps(document, sort_keys=True).encode()
    return served


def refresh(campaign):
    period = period_for(campaign=campaign)
    with TestCase.captureOnCommitCallbacks(execute=True):
        ledger_changed(period_id=period.pk)
    period_recompute(period_id=period.pk)
    snapshot_refresh(campaign_id=campaign.pk)


def test_it_erases_the_supporter_and_keeps_every_total(client, campaign, supporter):
    refresh(campaign)
    before = widget_bytes(client)
    assert json.loads(before[".json"])["raised"] == 2500 + 4000 + 1500
    # The ledger counts donors by exact address: "Grace@Example.com" and "grace@example.com" are two.
    assert json.loads(before[".json"])["donors"] == 3

    result = supporter_erase(organization=campaign.organization, email="GRACE@example.com")
    assert result["donations"] == 2 and result["stripe_events"] >= 3
    refresh(campaign)
    assert widget_bytes(client) == before  # identical bytes: same amounts, same donor count

    assert not Donation.objects.filter(donor_email__icontains="grace").exists()
    assert not Donation.objects.filter(public_name__icontains="grace").exists()
    assert not Donation.objects.filter(message__icontains="servers").exists()
    assert not Notice.objects.filter(email__icontains="grace").exists()
    assert not SubscriptionState.objects.exists()  # Grace's was the only subscription: its customer link is gone
    for event in StripeEvent.objects.all():
        assert "grace" not in json.dumps(event.payload).lower()
    assert Donation.objects.filter(public_name="Ada", donor_email="ada@example.com").count() == 1
    assert supporter_export(organization=campaign.organization, email=supporter)["donations"] == []


def test_it_removes_the_supporter_from_the_owners_pages(client, campaign, supporter, alice):
    supporter_erase(organization=campaign.organization, email=supporter)
    client.force_login(alice)
    for url in ("/admin/ledger/donation/", "/admin/supporters/notice/", "/admin/supporters/monthlygift/",
                "/admin/ledger/donation/export.csv"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content if response.streaming else [response.content]).decode().lower()
        assert "grace" not in body and "hopper" not in body and "for the servers" not in body, url
    assert "1 result" in client.get("/admin/ledger/donation/?q=ada@example.com").content.decode()  # search works
    assert "0 results" in client.get("/admin/ledger/donation/?q=grace").content.decode()


def test_it_exports_one_supporter_as_json_from_the_admin_and_the_command(client, campaign, supporter, alice, capsys):
    client.force_login(alice)
    form = {"organization": campaign.organization_id, "email": supporter, "action": "export"}
    response = client.post("/admin/supporters/supportertools/", form)
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert sorted(d["amount"] for d in data["donations"]) == [1500, 2500]
    assert {d["public_name"] for d in data["donations"]} >= {"Grace Hopper"}
    assert data["monthly_gifts"][0]["customer_id"].startswith("cus_")
    assert "ada@example.com" not in response.content.decode()

    call_command("supporter_export", str(campaign.organization_id), supporter)
    assert json.loads(capsys.readouterr().out)["email"] == supporter
    call_command("supporter_erase", campaign.organization.name, supporter, "--yes")
    assert "Erased 2 gift(s)" in capsys.readouterr().out


def test_it_keeps_other_organisations_out_of_the_tools(client, campaign, supporter, charlie):
    from fundraising.campaigns.services import owner_add
    from tests.factories import OrganizationFactory

    owner_add(organization=OrganizationFactory(), user=charlie)
    client.force_login(charlie)
    client.post("/admin/supporters/supportertools/", {"organization": campaign.organization_id, "email": supporter,
                                                      "action": "erase", "confirm": supporter})  # fmt: skip
    assert Donation.objects.filter(donor_email__iexact=supporter).count() == 2


def test_it_lets_only_owners_export_or_erase(client, campaign, supporter, bob):
    """bob is an editor of Alice's organisation: he sees gifts, not the supporter tools' organisation."""
    client.force_login(bob)
    form = {"organization": campaign.organization_id, "email": supporter, "action": "erase", "confirm": supporter}
    client.post("/admin/supporters/supportertools/", form)
    assert Donation.objects.filter(donor_email__iexact=supporter).count() == 2
    response = client.post("/admin/supporters/supportertools/", dict(form, action="export"))
    assert response.status_code in (302, 403)
