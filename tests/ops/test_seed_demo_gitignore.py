"""What `make demo` writes (the SQLite database in WAL mode, widget files, beat's schedule) is ignored by git, so a
checkout stays clean after a demo."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WRITTEN = ["db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm", "var/widgets/current", "var/celerybeat-schedule",
           "staticfiles/fundraising/embed.js", ".venv", "node_modules", "mutants/alive.txt"]


def test_it_leaves_git_clean_after_a_demo():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    result = subprocess.run(["git", "check-ignore", "--no-index", *WRITTEN], cwd=ROOT, capture_output=True, text=True)
    assert sorted(result.stdout.split()) == sorted(WRITTEN)
