"""The Celery app, configured from Django settings under the CELERY_ namespace."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundraising.settings")

app = Celery("fundraising")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Refreshes have their own queue, which workers serve in turn with the events: a coalesced refresh
# must not wait behind thousands of queued Stripe events, or widgets lag by the whole backlog.
app.conf.task_queues = (Queue("refresh"), Queue(app.conf.task_default_queue))
app.conf.task_routes = {"fundraising.pipeline.tasks.period_refresh_task": {"queue": "refresh"}}
app.autodiscover_tasks()
