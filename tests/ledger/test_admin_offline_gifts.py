"""Owners and editors record and reverse offline gifts in the admin; viewers and strangers cannot."""

import datetime

import pytest
import time_machine

from fundraising.campaigns.services import owner_add
from fundraising.ledger.models import Donation
from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory

NOW = datetime.datetime(2026, 11, 20, 9, tzinfo=datetime.UTC)
URL = "/admin/ledger/donation/offline/"


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def form(campaign, **overrides):
    data = {"campaign": campaign.pk, "amount": "1,250.50", "date": "2026-11-03", "method": "cheque", "kind": "one_time"}
    return {**data, "name": "", "email": "", "note": "", **overrides}


def test_it_lets_bob_record_a_gift_and_shows_who_did(client, bob, campaign):
    client.force_login(bob)
    response = client.post(URL, form(campaign, name="Grace", note="<b>cheque 42</b>"), follow=True)
    donation = Donation.objects.get()
    assert (donation.amount, donation.method, donation.recorded_by) == (125050, "cheque", bob)
    assert "Recorded: 1,250.50 $, counted in NOVEMBER 2026." in response.content.decode()
    page = client.get(f"/admin/ledger/donation/{donation.pk}/change/").content.decode()
    assert "Reverse this gift" in page and "&lt;b&gt;cheque 42&lt;/b&gt;" in page
    listing = client.get("/admin/ledger/donation/").content.decode()
    assert "Cheque · by bob" in listing


def test_it_shows_each_bad_field_in_the_form(client, alice, campaign):
    client.force_login(alice)
    response = client.post(URL, form(campaign, amount="-3", date="2026-12-01", email="nope"))
    page = response.content.decode()
    assert response.status_code == 200 and not Donation.objects.exists()
    assert "Enter an amount greater than zero." in page
    assert "2026-12-01 is in the future" in page
    assert "&#x27;nope&#x27; is not an e-mail address." in page


def test_it_reverses_a_gift_and_says_the_month_had_closed(client, alice, bob, campaign):
    from fundraising.ledger.rollover import campaign_rollover

    DonationFactory(campaign=campaign, paid_at=datetime.datetime(2026, 10, 5, tzinfo=datetime.UTC))
    campaign_rollover(campaign=campaign)
    client.force_login(bob)
    response = client.post(URL, form(campaign, date="2026-10-31"), follow=True)
    assert "OCTOBER 2026 had already closed: its figures are updated" in response.content.decode()
    gift = Donation.objects.get(source="offline")
    client.force_login(alice)
    response = client.post(f"/admin/ledger/donation/{gift.pk}/reverse/", {"note": "bounced"}, follow=True)
    reversal = Donation.objects.get(reverses=gift)
    assert (reversal.recorded_by, reversal.note, reversal.period_id) == (alice, "bounced", gift.period_id)
    assert "Reversed: 1,250.50 $, counted in OCTOBER 2026." in response.content.decode()
    again = client.post(f"/admin/ledger/donation/{gift.pk}/reverse/", {"note": ""})
    assert "already been reversed" in again.content.decode()
    assert Donation.objects.filter(reverses=gift).count() == 1


def test_it_keeps_viewers_and_strangers_out(client, charlie, campaign, bob):
    client.force_login(bob)
    client.post(URL, form(campaign))
    gift_url = f"/admin/ledger/donation/{Donation.objects.get().pk}/reverse/"
    client.force_login(charlie)  # no membership at all: not even let into the admin
    assert client.get(URL).status_code == 302
    assert client.post(gift_url, {"note": ""}).status_code == 302
    owner_add(organization=campaign.organization, user=charlie, role="viewer")
    assert client.get(URL).status_code == 403
    assert client.post(gift_url, {"note": ""}).status_code == 403
    assert Donation.objects.count() == 1


def test_it_offers_only_the_members_own_campaigns(client, alice, campaign, charlie):
    org = OrganizationFactory(name="Charlie's club")
    owner_add(organization=org, user=charlie)
    theirs = CampaignFactory(organization=org, slug="charlies")
    client.force_login(alice)
    response = client.post(URL, form(theirs))
    assert "Select a valid choice" in response.content.decode()
    assert not Donation.objects.exists()


def test_it_answers_404_for_another_organisations_gift(client, bob, campaign, charlie):
    client.force_login(bob)
    client.post(URL, form(campaign))
    org = OrganizationFactory(name="Charlie's club")
    owner_add(organization=org, user=charlie)
    client.force_login(charlie)
    assert client.post(f"/admin/ledger/donation/{Donation.objects.get().pk}/reverse/").status_code == 404
    assert not Donation.objects.filter(reverses__isnull=False).exists()


def test_it_keeps_the_donors_name_email_choice_and_the_kind(client, bob, campaign):
    client.force_login(bob)
    typed = form(campaign, kind="monthly", name="Grace", email="Grace@Example.org", anonymous="on")
    client.post(URL, typed)
    donation = Donation.objects.get()
    assert (donation.kind, donation.public_name, donation.donor_email) == ("monthly", "Grace", "grace@example.org")
    assert donation.anonymous and donation.display_name == "Anonymous"


def test_it_puts_each_error_under_its_own_field(client, alice, campaign):
    client.force_login(alice)
    page = client.post(URL, form(campaign, amount="", method="wire")).content.decode()
    assert (
        '<ul class="errorlist" id="id_amount_error"><li>This field is required.</li><li>Enter an amount.</li></ul>'
    ) in page
    assert (
        '<ul class="errorlist" id="id_method_error"><li>Select a valid choice. wire is not one of the available '
        "choices.</li></ul>"
    ) in page
    page = client.post(URL, form(campaign, amount="-3")).content.decode()
    assert '<ul class="errorlist" id="id_amount_error"><li>Enter an amount greater than zero.</li></ul>' in page
    assert "nonfield" not in page


def test_its_pages_have_a_title_and_a_form_that_can_be_sent(client, bob, campaign):
    client.force_login(bob)
    page = client.get(URL).content.decode()
    assert "<title>Record an offline gift | Fundraising admin</title>" in page
    assert "<h1>Record an offline gift</h1>" in page and 'name="csrfmiddlewaretoken"' in page
    client.post(URL, form(campaign))
    page = client.get(f"/admin/ledger/donation/{Donation.objects.get().pk}/reverse/").content.decode()
    assert "<h1>Reverse the offline gift of 1,250.50 $</h1>" in page
    assert '<textarea name="note"' in page and 'name="csrfmiddlewaretoken"' in page
    assert "errornote" not in page


def test_it_offers_to_reverse_only_a_standing_offline_gift_to_its_recorders(client, alice, charlie, campaign):
    from fundraising.campaigns.services import owner_add

    def offered(user, donation):
        client.force_login(user)
        page = client.get(f"/admin/ledger/donation/{donation.pk}/change/").content.decode()
        assert '<form method="post" id="donation_form" novalidate>' in page  # it posts back to itself
        return "Reverse this gift" in page

    stripe = DonationFactory(campaign=campaign)
    client.force_login(alice)
    client.post(URL, form(campaign))
    gift = Donation.objects.get(source="offline")
    owner_add(organization=campaign.organization, user=charlie, role="viewer")
    assert not offered(alice, stripe)
    assert offered(alice, gift) and not offered(charlie, gift)
    client.force_login(alice)
    client.post(f"/admin/ledger/donation/{gift.pk}/reverse/", {"note": ""})
    assert not offered(alice, gift)
    assert not offered(alice, Donation.objects.get(reverses=gift))


def test_it_asks_about_an_amount_with_two_readings(client, bob, campaign):
    client.force_login(bob)
    response = client.post(URL, form(campaign, amount="25,50"))
    page = response.content.decode()
    assert "Did you mean 25.50 $?" in page
    # One click puts the reading into the field (static/fundraising/admin-suggest.js).
    assert 'class="button fr-suggest" data-from="25,50" data-to="25.50">Use 25.50</button>' in page
    assert "fundraising/admin-suggest.js" in page
    assert not Donation.objects.exists()


def test_it_preselects_the_only_campaign_a_member_can_record_for(client, bob, campaign):
    client.force_login(bob)
    page = client.get("/admin/ledger/donation/offline/").content.decode()
    assert f'<option value="{campaign.pk}" selected>' in page
