"""Upgrading (integrations 0002, campaigns 0007): each campaign's milestone webhook becomes an endpoint subscribed
to milestone.reached with the same URL and secret, so its receiver keeps verifying signatures; then the
campaign's two fields go."""

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from fundraising.campaigns import services
from fundraising.integrations.models import Endpoint
from fundraising.ledger import services as ledger
from tests.delivery_helpers import deliveries_drain
from tests.factories import DonationFactory

# Migrates backwards and forwards: not in `make test-fast`.
pytestmark = pytest.mark.slow

BEFORE = [("campaigns", "0006_supporters_wall"), ("integrations", "0001_initial")]
AFTER = [("campaigns", "0007_remove_milestone_webhook"), ("integrations", "0002_milestone_webhooks_to_endpoints")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def previous_release(transactional_db):
    """The models of the release before, on a database migrated back to it; the latest schema again after."""
    if not MigrationRecorder(connection).applied_migrations():
        pytest.skip("the test database was made without migrations (--nomigrations)")
    yield migrate(BEFORE)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def old_campaigns(previous_release):
    """Campaigns as the previous release stored them: a webhook that fired (so it has a secret), one that never
    did, none at all, and one whose URL also subscribed to milestone.reached under Integrations."""
    Organization = previous_release.get_model("campaigns", "Organization")
    Campaign = previous_release.get_model("campaigns", "Campaign")
    Endpoint = previous_release.get_model("integrations", "Endpoint")
    org = Organization.objects.create(name="Alice's club")

    def campaign(slug, url="", secret=""):
        return Campaign.objects.create(
            organization=org, slug=slug, title=slug.title(), monthly_target=500000, amount_pattern="#,##0 ¤",
            milestone_webhook_url=url, milestone_webhook_secret=secret,
        )  # fmt: skip

    campaigns = {
        "fired": campaign("fired", "https://hooks.example.org/fired", "mwsec_kept"),
        "unfired": campaign("unfired", "https://hooks.example.org/unfired"),
        "none": campaign("none"),
        "both": campaign("both", "https://hooks.example.org/both", "mwsec_both"),
    }
    Endpoint.objects.create(
        campaign=campaigns["both"],
        url="https://hooks.example.org/both",
        events=["donation.succeeded", "milestone.reached"],
        secret="whsec_integrations",
    )
    return {slug: c.pk for slug, c in campaigns.items()}


def endpoints_of(campaign_id):
    return list(Endpoint.objects.filter(campaign_id=campaign_id).values_list("url", "events", "secret", "active"))


def test_it_turns_each_milestone_webhook_into_an_endpoint_with_its_secret(old_campaigns):
    migrate(AFTER)

    assert endpoints_of(old_campaigns["fired"]) == [
        ("https://hooks.example.org/fired", ["milestone.reached"], "mwsec_kept", True)
    ]
    [(url, events, secret, active)] = endpoints_of(old_campaigns["unfired"])
    assert (url, events, active) == ("https://hooks.example.org/unfired", ["milestone.reached"], True)
    assert secret.startswith("whsec_") and len(secret) > 30
    assert endpoints_of(old_campaigns["none"]) == []
    # Already subscribed under Integrations: it now gets milestones once, as that endpoint's event.
    assert [e[2] for e in endpoints_of(old_campaigns["both"])] == ["whsec_integrations"]
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, "campaigns_campaign")]
    assert "milestone_webhook_url" not in columns and "milestone_webhook_secret" not in columns


def test_a_migrated_webhook_signs_the_next_milestone_with_its_old_secret(old_campaigns, receiver):
    from fundraising.campaigns.models import Campaign

    migrate(AFTER)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # the rest of the upgrade, then use it
    Endpoint.objects.filter(campaign_id=old_campaigns["fired"]).update(url=receiver.url)
    campaign = Campaign.objects.get(pk=old_campaigns["fired"])
    services.campaign_sync_open_period(campaign=campaign)

    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, amount=500000)
        ledger.ledger_changed(period_id=donation.period_id)
    deliveries_drain()

    [post] = receiver.posts
    assert post.event == "milestone.reached" and post.signed_with("mwsec_kept")
    assert post.document["data"]["is_target"] is True
