"""Each campaign's milestone webhook becomes an endpoint subscribed to milestone.reached, keeping its URL and
its secret (receivers keep checking signatures with the secret they have), before
campaigns.0007 removes the two fields. Milestones then go out once, as the integrations document."""

import secrets

from django.db import migrations


def milestone_webhooks_to_endpoints(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    Endpoint = apps.get_model("integrations", "Endpoint")
    webhooks = Campaign.objects.exclude(milestone_webhook_url="").order_by("pk")
    for campaign in webhooks.only("pk", "milestone_webhook_url", "milestone_webhook_secret"):
        url = campaign.milestone_webhook_url
        subscribed = Endpoint.objects.filter(campaign_id=campaign.pk, url=url, active=True)
        if any("milestone.reached" in endpoint.events for endpoint in subscribed):
            continue  # that URL already hears of milestones as an event; the second copy just stops
        Endpoint.objects.create(
            campaign_id=campaign.pk,
            url=url,
            events=["milestone.reached"],
            # Secrets were made on first use: a webhook that never fired has none yet and gets one now.
            secret=campaign.milestone_webhook_secret or f"whsec_{secrets.token_urlsafe(24)}",
        )


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0001_initial"),
        ("campaigns", "0006_supporters_wall"),
    ]

    operations = [
        # Backwards leaves the endpoints: the previous release delivers them too, as integrations events.
        migrations.RunPython(milestone_webhooks_to_endpoints, migrations.RunPython.noop),
    ]
