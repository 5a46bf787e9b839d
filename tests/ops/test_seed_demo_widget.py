"""Right after seed_demo, with no worker running yet, the demo's widget shows the seeded 100 $."""

import json

from django.core.management import call_command

from fundraising.campaigns.models import Period
from fundraising.celery import app


def test_it_shows_the_seeded_total_before_any_worker_runs(client, db, widget_root):
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = "memory://", False  # a broker nobody consumes yet
    try:
        call_command("seed_demo", force=True)
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
    assert Period.objects.get(campaign__slug="demo", closed_at__isnull=True).raised == 10000  # the history is closed
    document = json.loads(client.get("/w/demo.json").content)
    assert (document["raised"], document["formatted"]["raised"]) == (10000, "100 $")
