"""fundraising/pipeline/tasks.py: queueing after a ledger write. Nothing is dropped: when the broker refuses a
task, what it would have refreshed is left to the sweep (its "queued" mark cleared, so the next change or the
sweep queues it again), and what was already queued keeps its mark; the operator reads how many were deferred."""

import logging
from unittest import mock

from kombu.exceptions import OperationalError

from fundraising.pipeline import refresh, tasks


def test_a_broker_lost_after_the_first_task_defers_the_rest_to_the_sweep(caplog):
    period_ids = list(range(1001, 1031))
    down = [None, OperationalError("connection refused")]
    with mock.patch.object(tasks.periods_refresh_task, "apply_async", side_effect=down) as queued:
        assert tasks.periods_refresh_enqueue(period_ids=period_ids) == period_ids[:25]
    assert queued.call_args_list == [
        mock.call((period_ids[:25],), countdown=refresh.REFRESH_DEBOUNCE_SECONDS),
        mock.call((period_ids[25:],), countdown=refresh.REFRESH_DEBOUNCE_SECONDS),
    ]
    warnings = [r for r in caplog.records if r.name == "fundraising.pipeline.tasks"]
    assert [(r.levelno, r.getMessage()) for r in warnings] == [
        (logging.WARNING, "broker unavailable, refresh of 5 periods deferred to the sweep")
    ]
    with mock.patch.object(tasks.periods_refresh_task, "apply_async") as queued:
        assert tasks.periods_refresh_enqueue(period_ids=period_ids) == period_ids[25:]
    queued.assert_called_once_with((period_ids[25:],), countdown=refresh.REFRESH_DEBOUNCE_SECONDS)


def test_a_broker_down_at_once_queues_nothing_and_keeps_no_mark(caplog):
    period_ids = [7, 8, 9]
    with mock.patch.object(tasks.periods_refresh_task, "apply_async", side_effect=OperationalError("down")):
        assert tasks.periods_refresh_enqueue(period_ids=period_ids) == []
    assert "refresh of 3 periods deferred" in caplog.text
    assert all(refresh.period_refresh_mark(period_id=period_id) for period_id in period_ids)


def test_a_breakdown_refused_by_the_broker_keeps_no_mark():
    with mock.patch.object(tasks.periods_breakdown, "apply_async", side_effect=OperationalError("down")) as queued:
        assert tasks.periods_breakdown_enqueue(period_ids=[4, 5]) == []
    queued.assert_called_once_with(([4, 5],), countdown=refresh.BREAKDOWN_DEBOUNCE_SECONDS)
    with mock.patch.object(tasks.periods_breakdown, "apply_async") as queued:
        assert tasks.periods_breakdown_enqueue(period_ids=[4, 5]) == [4, 5]
        assert tasks.periods_breakdown_enqueue(period_ids=[4, 5, 6]) == [6]
        assert tasks.periods_breakdown_enqueue(period_ids=[5]) == []
    assert queued.call_args_list == [
        mock.call(([4, 5],), countdown=refresh.BREAKDOWN_DEBOUNCE_SECONDS),
        mock.call(([6],), countdown=refresh.BREAKDOWN_DEBOUNCE_SECONDS),
    ]


def test_closed_months_are_followed_up_a_hundred_a_task_behind_the_widgets():
    period_ids = list(range(1, 251))
    with mock.patch.object(tasks.periods_closed_followup, "apply_async") as queued:
        tasks.periods_closed_followup_enqueue(period_ids=period_ids)
    assert queued.call_args_list == [
        mock.call((period_ids[:100],), priority=tasks.FOLLOWUP_PRIORITY),
        mock.call((period_ids[100:200],), priority=tasks.FOLLOWUP_PRIORITY),
        mock.call((period_ids[200:],), priority=tasks.FOLLOWUP_PRIORITY),
    ]
    assert tasks.FOLLOWUP_PRIORITY > 0  # after the default priority's tasks (0 is taken first on Redis)
