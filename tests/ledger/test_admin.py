"""The donation admin's own pages: the export, offline-gift and reversal addresses, the CSV download's
file name, and a gift's page loading its campaign, month and recorder with the row."""

import datetime

import pytest
import time_machine
from django.contrib import admin
from django.test import RequestFactory
from django.urls import path, reverse

from fundraising.ledger import offline
from fundraising.ledger.models import Donation
from tests.factories import DonationFactory

NOW = datetime.datetime(2026, 11, 20, 9, 5, tzinfo=datetime.UTC)


class FreshAdminURLs:
    """The admin's routes built now, not when the project's URLconf was first imported."""

    def __init__(self):
        self.urlpatterns = [path("admin/", (admin.site.get_urls(), "admin", admin.site.name))]


@pytest.fixture
def fresh_urls(settings):
    settings.ROOT_URLCONF = FreshAdminURLs()  # the setting_changed signal clears the URL caches


@pytest.fixture
def gift(campaign, alice):
    entry = offline.offline_gift_record(
        campaign=campaign,
        amount=2500,
        received_on=datetime.date(2026, 11, 3),
        method="cheque",
        recorded_by=alice,
        name="Grace",
    )
    return entry.donation


def test_the_export_offline_and_reverse_pages_have_their_addresses(client, alice, gift, fresh_urls):
    assert reverse("admin:ledger_donation_export") == "/admin/ledger/donation/export.csv"
    assert reverse("admin:ledger_donation_offline") == "/admin/ledger/donation/offline/"
    assert reverse("admin:ledger_donation_reverse", args=[gift.pk]) == f"/admin/ledger/donation/{gift.pk}/reverse/"
    client.force_login(alice)
    export = client.get("/admin/ledger/donation/export.csv")
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(export.streaming_content).decode().splitlines()[1].split(",")[:2] == [str(gift.pk), "lights"]
    form = client.get("/admin/ledger/donation/offline/")
    assert form.status_code == 200 and "Record the gift" in form.content.decode()
    confirm = client.get(f"/admin/ledger/donation/{gift.pk}/reverse/")
    assert confirm.status_code == 200 and "Reverse the gift" in confirm.content.decode()
    page = client.get(f"/admin/ledger/donation/{gift.pk}/change/").content.decode()
    assert f'href="/admin/ledger/donation/{gift.pk}/reverse/">Reverse this gift' in page


def test_the_csv_downloads_as_a_file_named_after_the_minute(client, alice, campaign):
    DonationFactory(campaign=campaign)
    client.force_login(alice)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/admin/ledger/donation/export.csv")
    assert response["Content-Disposition"] == 'attachment; filename="donations-20261120-0905.csv"'


def test_a_gifts_page_loads_its_campaign_month_and_recorder_with_the_row(alice, gift, django_assert_num_queries):
    request = RequestFactory().get(f"/admin/ledger/donation/{gift.pk}/change/")
    request.user = alice
    donation = admin.site._registry[Donation].get_object(request, str(gift.pk))
    with django_assert_num_queries(0):
        seen = (donation.campaign.slug, donation.period.start, donation.recorded_by.username)
    assert seen == ("lights", datetime.date(2026, 11, 1), "alice")


def test_a_gift_opened_from_a_filtered_list_keeps_the_filter(client, alice, gift):
    client.force_login(alice)
    response = client.get(f"/admin/ledger/donation/{gift.pk}/change/?_changelist_filters=source%3Doffline")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<form action="?_changelist_filters=source%3Doffline" method="post" id="donation_form"' in page
    assert 'href="/admin/ledger/donation/?source=offline"' in page  # the way back to the same list


def test_the_list_runs_the_same_queries_for_1_or_6_offline_gifts(client, alice, campaign, gift):
    """Its "Entry" column names who typed each gift in: the recorder comes with the row, not one query each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)

    def list_queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/admin/ledger/donation/")
        assert page.status_code == 200 and "Cheque · by alice" in page.content.decode()
        return len(captured.captured_queries)

    few = list_queries()
    for amount in range(1, 6):
        offline.offline_gift_record(
            campaign=campaign, amount=amount * 100, received_on=datetime.date(2026, 11, 4), method="cheque",
            recorded_by=alice, name="Ada",
        )  # fmt: skip
    many = list_queries()
    assert many == few


def test_the_ledger_is_append_only_even_for_its_owner(client, alice, gift):
    """No "Add donation" and no delete: gifts come from Stripe or the offline form, corrections are reversals."""
    client.force_login(alice)
    assert client.get("/admin/ledger/donation/add/").status_code == 403
    assert client.get(f"/admin/ledger/donation/{gift.pk}/delete/").status_code == 403
    assert client.post(f"/admin/ledger/donation/{gift.pk}/delete/", {"post": "yes"}).status_code == 403
    listing = client.get("/admin/ledger/donation/").content.decode()
    assert "/admin/ledger/donation/add/" not in listing and 'value="delete_selected"' not in listing
    assert Donation.objects.filter(pk=gift.pk).exists()
