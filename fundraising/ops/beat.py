"""Beat without a broker: on the embedded default (no REDIS_URL) the beat schedule's tasks run
in-process, each at most once per interval across every process, after a response has been sent
(EmbeddedBeat) or from `manage.py beat_run` under cron. With a broker, Celery beat does this."""

import importlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections

log = logging.getLogger(__name__)
# How often one process asks the shared cache whether a task is due (a local clock read otherwise).
CHECK_EVERY_SECONDS = 5


def task_of(name):
    """The task object named in the schedule, importing its module (a web process has not)."""
    module, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def beat_due_run(*, force=False):
    """Run each scheduled task whose interval has passed since any process last ran it; returns
    their names. The shared cache's atomic add() is the claim, so two processes do not both run it."""
    ran = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        claimed = cache.add(f"embedded-beat:{name}", 1, timeout=int(entry["schedule"]))
        if not (claimed or force):
            continue
        try:
            task_of(entry["task"]).apply(throw=True)
        except Exception:  # one failing task must not keep the others from running
            log.exception("embedded beat: %s failed", name)
        ran.append(name)
    return ran


class AfterResponse:
    """The response's iterable; once the server has sent it and closes it, runs `then`."""

    def __init__(self, result, then):
        self.result, self.then = result, then

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.then()


class EmbeddedBeat:
    """WSGI wrapper: without a broker, requests (widget reads included) drive the beat schedule."""

    def __init__(self, app, clock=time.monotonic):
        self.app, self.clock = app, clock
        self.next_check = 0.0

    def __call__(self, environ, start_response):
        result = self.app(environ, start_response)
        if not settings.CELERY_TASK_ALWAYS_EAGER or self.clock() < self.next_check:
            return result
        self.next_check = self.clock() + CHECK_EVERY_SECONDS
        return AfterResponse(result, self.run)

    def run(self):
        try:
            beat_due_run()
        except Exception:
            log.exception("embedded beat failed")
        finally:
            close_old_connections()
