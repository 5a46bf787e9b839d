"""manage.py, in no app: a command run without its configuration says what is missing in one line."""

import pytest

from tests.manage_run import run_manage

# Every test here starts manage.py in a subprocess: not in `make test-fast`.
pytestmark = pytest.mark.slow


def test_it_names_the_missing_setting_in_one_line_without_a_traceback():
    result = run_manage({}, "check")  # no DEBUG, no SECRET_KEY: a fresh clone, as docs/commands.md runs it
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "SECRET_KEY is required" in result.stderr
    assert "DEBUG=1" in result.stderr


def test_it_leaves_out_the_debug_hint_when_debug_was_chosen():
    result = run_manage({"DEBUG": "0"}, "migrate", "--check")
    assert result.returncode == 1
    assert result.stderr.startswith("ImproperlyConfigured: SECRET_KEY")
    assert "DEBUG=1" not in result.stderr


def test_it_runs_a_command_when_configured():
    result = run_manage({"DEBUG": "1"}, "check")
    assert result.returncode == 0, result.stderr
