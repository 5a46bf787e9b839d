"""PostgreSQL lock tests: hold rows in another thread's open transaction while the test works."""

import contextlib
import threading

from django.db import connection, transaction


@contextlib.contextmanager
def held_elsewhere(take):
    """Run take() in a transaction of another thread and keep that transaction open (its locks held) for
    the duration of the block."""
    taken, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                take()
                taken.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(timeout=10)
        yield
    finally:
        release.set()
        holder.join(timeout=30)


def lock_waiters():
    """How many sessions of the test database wait for a lock now (a transaction blocked on a row another holds)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def lock_timeout_short():
    """Inside a transaction: fail after 2 s instead of waiting for a lock."""
    connection.cursor().execute("SET LOCAL lock_timeout = '2s'")
