"""Log lines say when, how bad and from where; LOG_FORMAT=json gives one JSON object a line."""

import json

import pytest

from tests.manage_run import run_manage

# Every test here starts python in a subprocess: not in `make test-fast`.
pytestmark = pytest.mark.slow

LOG_A_WARNING = "import logging; logging.getLogger('fundraising.example').warning('disk %s full', 'widgets')"


def test_it_writes_time_level_and_logger_by_default():
    result = run_manage({"DEBUG": "1"}, "shell", "-c", LOG_A_WARNING)
    [line] = [line for line in result.stderr.splitlines() if "disk widgets full" in line]
    day, time, level, logger, *message = line.split(" ")
    assert len(day) == 10 and day[4] == "-" and time.count(":") == 2
    assert (level, logger, " ".join(message)) == ("WARNING", "fundraising.example", "disk widgets full")


def test_it_writes_json_for_machines():
    result = run_manage({"DEBUG": "1", "LOG_FORMAT": "json"}, "shell", "-c", LOG_A_WARNING)
    [line] = [json.loads(line) for line in result.stderr.splitlines() if "disk widgets full" in line]
    assert line["level"] == "WARNING" and line["logger"] == "fundraising.example"
    assert line["message"] == "disk widgets full" and line["time"].endswith("+00:00")


def test_it_refuses_an_unknown_format():
    result = run_manage({"DEBUG": "1", "LOG_FORMAT": "xml"}, "check")
    assert result.returncode != 0 and "LOG_FORMAT" in result.stderr.splitlines()[-1]
