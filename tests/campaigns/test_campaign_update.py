"""campaign_update, the one way a campaign changes: the open month follows, the journal records it, and the
widget follows at once, whoever called it (the admin, a command, the shell)."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fundraising.campaigns.models import Campaign, Period
from fundraising.campaigns.services import campaign_update, period_for
from fundraising.journal.models import Entry
from fundraising.ledger.services import donation_settle
from fundraising.widgets.services import snapshot_entry_get, snapshot_refresh
from tests.factories import DonationFactory


@pytest.fixture
def live(transactional_db, campaign, widget_root):
    snapshot_refresh(campaign_id=campaign.pk)
    assert snapshot_entry_get(slug="lights") is not None
    return campaign


def test_a_command_deactivating_a_campaign_takes_its_widget_down_at_once(live, client, widget_root):
    call_command("campaign_update", "lights", "--deactivate")
    assert client.get("/w/lights.json").status_code == 404
    assert client.get("/w/lights.svg").status_code == 404
    assert list(widget_root.glob("**/lights*")) == []
    assert Entry.objects.filter(kind="campaign.updated", campaign_id=live.pk).latest("pk").data["active"] is False


def test_a_command_renaming_a_campaign_moves_its_widget_at_once(live, client):
    call_command("campaign_update", "lights", "--new-slug", "lamps", "--title", "Lamps on")
    assert client.get("/w/lights.json").status_code == 404
    moved = client.get("/w/lamps.json")
    assert moved.status_code == 200 and moved.json()["title"] == "Lamps on"


def test_a_lowered_target_records_the_crossing_it_makes(live, monkeypatch):
    period = period_for(campaign=live)
    donation_settle(donation=DonationFactory.build(campaign=live, period=period, amount=300000, status="pending"))
    campaign_update(campaign=live, monthly_target=250000)
    period.refresh_from_db()
    assert period.target == 250000
    assert period.crossings.filter(amount=250000).exists()
    assert Entry.objects.filter(kind="milestone.reached", period_id=period.pk).exists()


def test_the_open_month_follows_and_history_does_not(live):
    open_month = period_for(campaign=live)
    closed = Period.objects.create(
        campaign=live, start="2020-01-01", end="2020-01-31", target=1000, closed_at=timezone.now()
    )
    campaign_update(campaign=live, monthly_target=777700)
    assert Period.objects.get(pk=open_month.pk).target == 777700
    assert Period.objects.get(pk=closed.pk).target == 1000


def test_the_command_refuses_what_it_cannot_read(live):
    with pytest.raises(CommandError, match="No campaign"):
        call_command("campaign_update", "nope", "--deactivate")
    with pytest.raises(CommandError, match="--target"):
        call_command("campaign_update", "lights", "--target", "lots")
    with pytest.raises(CommandError, match=r"--target: Did you mean 2\.50 \$\? Run it again with 2\.50\.$"):
        call_command("campaign_update", "lights", "--target", "2,5")
    with pytest.raises(CommandError, match="Nothing to change"):
        call_command("campaign_update", "lights")
    assert Campaign.objects.get(pk=live.pk).active
