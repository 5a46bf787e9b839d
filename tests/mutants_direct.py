"""Run chosen mutmut mutants against chosen tests in one pytest process (no stats run, no forks).

mutmut 3.8 first runs every selected test to learn which tests reach which function, then forks a
worker per mutant. On the shared 2-core machine, with the widget or webhook tests reaching nearly
every function, that costs tens of minutes before the first mutant. This plugin uses mutmut's own
switch instead: the generated ``mutants/`` tree calls a function's mutant when ``MUTANT_UNDER_TEST``
names it. It collects the given tests once, runs them clean, then for each mutant runs them again
in order until the first failure (``-x`` per mutant), and runs them clean again at the end, so a
mutant that leaked state into the process shows up as a failed last pass.

Usage: generate ``mutants/`` once (``mutmut run`` does it too, then starts its stats run)::

    .venv/bin/python -m tests.mutants_direct      # about 30 s; regenerate after changing product code
    cd mutants
    MUTANTS_DIRECT='fundraising.widgets.options.x_options_parse__mutmut_*' \\
    MUTANTS_DIRECT_OUT=direct.txt \\
        ../.venv/bin/python -m pytest -p tests.mutants_direct -p no:cacheprovider -q \\
        --nomigrations tests/widgets/test_options.py

``MUTANTS_DIRECT`` is a space-separated list of names or shell patterns (``fnmatch``) matched
against the mutants mutmut generated. Each result is appended to ``MUTANTS_DIRECT_OUT`` as
``name: killed by <test>``, ``name: timeout`` or ``name: survived``; a name already there is skipped,
so a stopped run resumes. ``MUTANTS_DIRECT_TIMEOUT`` (seconds; by default ten times the clean pass,
at least 60) bounds one mutant's tests; a mutant that loops is reported as a timeout (mutmut counts
those as killed), never as killed by the test it was stopped in.

A survivor here is one the given tests leave alive: read it, and either kill it with a test or run
it under ``mutmut run <name>`` with the whole selection before accepting it.
"""

import fnmatch
import json
import os
import signal
import time
from pathlib import Path

import pytest


class _MutantTimeout(BaseException):
    pass


def _all_mutants() -> list[str]:
    names: list[str] = []
    for meta in sorted(Path("fundraising").rglob("*.py.meta")):
        names.extend(json.loads(meta.read_text())["exit_code_by_key"])
    return names


def _chosen(patterns: list[str]) -> list[str]:
    everything = _all_mutants()
    chosen: list[str] = []
    for pattern in patterns:
        for name in everything:
            if fnmatch.fnmatchcase(name, pattern) and name not in chosen:
                chosen.append(name)
    return chosen


def _done(out: Path) -> set[str]:
    if not out.exists():
        return set()
    return {line.split(":", 1)[0] for line in out.read_text().splitlines() if ":" in line}


def _switch(name: str) -> None:
    from mutmut.mutation.trampoline import set_mutant_under_test

    set_mutant_under_test(name)
    os.environ["MUTANT_UNDER_TEST"] = name


class _Direct:
    def __init__(self, patterns: list[str], out: Path, timeout: int) -> None:
        self.patterns = patterns
        self.out = out
        self.timeout = timeout
        self.failed: str | None = None
        self.timed_out = False

    def _log(self, line: str) -> None:
        with self.out.open("a") as f:
            f.write(line + "\n")

    def pytest_runtest_logreport(self, report):
        if report.failed and self.failed is None:
            self.failed = report.nodeid

    def _alarm(self, signum, frame):
        # Raised inside a test, pytest reports it as that test's failure: the flag tells a timeout from a kill.
        self.timed_out = True
        raise _MutantTimeout

    def _pass(self, session, items) -> str | None:
        """Run the items until the first failure; returns its node id, or None."""
        self.failed = None
        for i, item in enumerate(items):
            # The last item hands over to the first of the next pass (its session fixtures stay); a single item
            # cannot hand over to itself, or its own fixtures would stay set up.
            nextitem = items[i + 1] if i + 1 < len(items) else (items[0] if len(items) > 1 else None)
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            if self.failed is not None:
                session._setupstate.teardown_exact(items[0])
                return self.failed
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        items = session.items
        if not items:
            return True
        names = _chosen(self.patterns)
        done = _done(self.out)
        todo = [n for n in names if n not in done]
        self._log(f"# {time.strftime('%H:%M:%S')} {len(names)} chosen, {len(todo)} to run, {len(items)} tests")
        _switch("")
        started = time.monotonic()
        failed = self._pass(session, items)
        clean = time.monotonic() - started
        if failed:
            self._log(f"# clean pass failed: {failed}")
            session._setupstate.teardown_exact(None)
            session.testsfailed = 1
            return True
        # A mutant's tests may take longer than the clean pass (a load spike), never many times as long.
        timeout = self.timeout or max(60, int(10 * clean) + 1)
        self._log(f"# clean pass {clean:.1f} s; a mutant's tests time out after {timeout} s")
        signal.signal(signal.SIGALRM, self._alarm)
        for name in todo:
            _switch(name)
            started = time.monotonic()
            self.timed_out = False
            signal.alarm(timeout)
            try:
                failed = self._pass(session, items)
                verdict = f"killed by {failed}" if failed else "survived"
            except _MutantTimeout:  # raised between two items, outside any test
                self.timed_out = True
            finally:
                signal.alarm(0)
            if self.timed_out:
                verdict = "timeout"
                session._setupstate.teardown_exact(None)  # stopped inside an item: everything, its own fixtures too
            self._log(f"{name}: {verdict} ({time.monotonic() - started:.1f} s)")
        _switch("")
        failed = self._pass(session, items)
        self._log(f"# {time.strftime('%H:%M:%S')} last clean pass: {'failed at ' + failed if failed else 'passed'}")
        session._setupstate.teardown_exact(None)
        # The mutants' failures are the point; only a failed clean pass fails the run.
        session.testsfailed = 1 if failed else 0
        return True


def pytest_configure(config):
    patterns = os.environ.get("MUTANTS_DIRECT", "").split()
    if not patterns:
        raise pytest.UsageError("MUTANTS_DIRECT names no mutant")
    out = Path(os.environ.get("MUTANTS_DIRECT_OUT", "direct.txt"))
    timeout = int(os.environ.get("MUTANTS_DIRECT_TIMEOUT", "0"))
    config.pluginmanager.register(_Direct(patterns, out, timeout), "mutants-direct")


def generate() -> None:
    """Write mutmut's ``mutants/`` tree as ``mutmut run`` does before its stats run (mutmut 3.8)."""
    from mutmut.__main__ import (
        copy_also_copy_files,
        copy_src_dir,
        create_mutants,
        setup_source_paths,
        store_lines_covered_by_tests,
    )
    from mutmut.mutation.trampoline import set_mutant_under_test

    set_mutant_under_test("mutant_generation")
    os.makedirs("mutants", exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    setup_source_paths()
    store_lines_covered_by_tests()
    stats = create_mutants(os.cpu_count() or 1)
    print(f"mutants/: {stats.mutated} files mutated, {stats.unmodified} unchanged")


if __name__ == "__main__":
    generate()
