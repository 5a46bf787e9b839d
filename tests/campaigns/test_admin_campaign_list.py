"""The admin's campaign list runs a fixed number of queries and never writes on GET."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from fundraising.campaigns.models import Period
from fundraising.campaigns.services import period_for
from tests.factories import CampaignFactory, DonationFactory


def list_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/campaigns/campaign/")
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]


def test_it_runs_the_same_queries_for_3_or_21_campaigns_and_writes_nothing(client, alice, organization):
    client.force_login(alice)
    for index in range(3):
        DonationFactory(
            campaign=CampaignFactory(
                organization=organization, time_zone=("UTC", "America/New_York", "Asia/Tokyo")[index % 3]
            ),
            amount=2500,
        )
    _, few = list_queries(client)
    CampaignFactory.create_batch(18, organization=organization)
    periods = Period.objects.count()
    response, many = list_queries(client)

    assert len(many) == len(few)
    assert not [sql for sql in many if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "SAVEPOINT"))]
    assert Period.objects.count() == periods  # no period created by looking at the list
    assert response.content.decode().count('role="progressbar"') == 21


def test_it_shows_this_months_total_from_the_stored_period(client, alice, organization):
    client.force_login(alice)
    campaign = CampaignFactory(organization=organization, title="Roof fund")
    Period.objects.filter(pk=period_for(campaign=campaign).pk).update(raised=12500)
    response, _ = list_queries(client)
    assert "125 $ of 5,000 $" in response.content.decode()
