import pytest

from fundraising.widgets.services import snapshot_after_edit
from fundraising.wsgi import application
from tests.factories import SeedCampaignFactory


@pytest.fixture
def lights(transactional_db, widget_root, monkeypatch):
    """The campaign "lights" with its supporters wall on (amounts not shown) and no gift yet, its widget
    written; the fast path's memo emptied so that no other test's entry is served."""
    monkeypatch.setattr(application, "memo", {})
    campaign = SeedCampaignFactory(gifts=())
    campaign.supporters_wall = True
    campaign.save()
    snapshot_after_edit(campaign_id=campaign.pk)
    return campaign
