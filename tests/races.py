"""Race tests (PostgreSQL): run calls in threads of their own, released at the same moment."""

import threading
import time

from django.db import connection


def at_once(calls, *, timeout=60):
    """Run each call in a thread of its own, all released together by one barrier, each on its own database
    connection; return their results in the order of `calls`. Fails when a call raised or had not finished
    after `timeout` seconds: an exception in a thread would otherwise vanish."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0, deadline - time.monotonic()))
    running = sum(thread.is_alive() for thread in threads)
    assert errors == [] and running == 0, (errors, f"{running} of {len(calls)} calls still running")
    return results
