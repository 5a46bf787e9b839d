"""The Celery app, configured from Django settings under the CELERY_ namespace; its Redis transport."""

import os

from celery import Celery, signals
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundraising.settings")


class RedisChannel(kombu_redis.Channel):
    """kombu's Redis channel, closable after its connection is gone.

    When Redis restarts, Celery 5.7 collects the lost connection (which drops the transport's client) and then
    closes it; closing a channel that holds unacknowledged messages (a delayed task, one being run) tries to
    put them back through a new pool built from that client, and `None.hostname` killed the worker
    ("Unrecoverable error: AttributeError"). Saying "the broker is unreachable" instead is what the close
    already ignores; the messages stay in Redis's unacked set, which the next connection restores after the
    visibility timeout (and when Redis lost them, the database's sweeps queue the work again)."""

    def _connparams(self, asynchronous=False):
        if self.connection.client is None:
            raise kombu_redis.redis.exceptions.ConnectionError("the broker connection is closed")
        return super()._connparams(asynchronous=asynchronous)


class RedisTransport(kombu_redis.Transport):
    Channel = RedisChannel


app = Celery("fundraising")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The queues (events, refresh) and routes are in settings (CELERY_TASK_QUEUES, CELERY_TASK_ROUTES).
app.autodiscover_tasks()

# Database connections live as long as CONN_MAX_AGE says, as in Django's request cycle. Celery's Django fixup
# would close the connection after every task (unless its reuse counter is set): a new PostgreSQL backend and
# its authentication per task (6% of the worker's samples, more in PostgreSQL: docs/performance.md). The counter
# keeps the fixup from closing; close_old_connections before and after each task closes a connection that
# is broken (an error left it unusable), older than CONN_MAX_AGE, or fails its health check.
app.conf.update(CELERY_DB_REUSE_MAX=2**31)


@signals.task_prerun.connect
@signals.task_postrun.connect
def connections_tidy(sender=None, **kwargs):
    """Close the database connections that must not outlive this task, as Django does around a request."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # a task run in the caller's own process and transaction: the caller's connection
    from django.db import close_old_connections

    close_old_connections()
