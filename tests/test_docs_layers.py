"""docs/layers.md's "Where things live" names every module under fundraising/, and only modules that exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"[\w/]+(\.py|/)")
COMMANDS = "/management/commands/"


def map_block(text):
    """The fenced block under "## Where things live"."""
    return text.split("## Where things live", 1)[1].split("```", 2)[1]


def map_names(block):
    """The paths the map names, from the repository root ("fundraising/core/money.py"; a folder ends in "/").

    An entry's names are the leading words of a line at its folder's indentation (two spaces a level); a
    deeper line continues the description above it. A line holding only a folder opens it for those below."""
    folders, names = [], set()
    for line in block.splitlines():
        words, indent = line.split(), len(line) - len(line.lstrip())
        if not words or indent % 2 or indent // 2 > len(folders):
            continue
        del folders[indent // 2 :]
        if len(words) == 1 and words[0].endswith("/"):
            folders.append(words[0].rstrip("/"))
            continue
        for word in words:
            if not NAME.fullmatch(word):
                break
            names.add("/".join([*folders, word]))
    return names


def modules(root):
    """Every module under fundraising/ the map must name: not migrations, __init__.py or apps.py."""
    return {
        path.relative_to(root).as_posix()
        for path in (root / "fundraising").rglob("*.py")
        if "migrations" not in path.parts and path.name not in {"__init__.py", "apps.py"}
    }


def unnamed(modules, names):
    """Modules the map does not name. An entry for a management/commands/ folder names every command in it."""
    command_folders = {name for name in names if name.endswith(COMMANDS)}
    return sorted(m for m in modules if m not in names and m.rpartition("/")[0] + "/" not in command_folders)


def nonexistent(names, root):
    return sorted(n for n in names if not ((root / n).is_dir() if n.endswith("/") else (root / n).is_file()))


def test_it_names_every_module():
    assert unnamed(modules(ROOT), map_names(map_block((ROOT / "docs/layers.md").read_text()))) == []


def test_it_names_only_modules_that_exist():
    assert nonexistent(map_names(map_block((ROOT / "docs/layers.md").read_text())), ROOT) == []


def test_it_finds_a_planted_unnamed_module_and_a_planted_ghost(tmp_path):
    for name in [
        "core/money.py",
        "core/bulk.py",
        "core/apps.py",
        "core/__init__.py",
        "core/migrations/0001_initial.py",
        "ops/management/commands/beat_run.py",
        "ops/management/commands/seed_demo.py",
        "widgets/management/commands/widgets_refresh.py",
    ]:
        (tmp_path / "fundraising" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "fundraising" / name).touch()
    block = """
fundraising/
  core/
    money.py          described here
                      continued.py is a description, not a module
    ghost.py          gone
  ops/
    management/commands/  seed_demo, beat_run
  widgets/
    management/commands/
      widgets_refresh.py  named one by one
"""
    names = map_names(block)
    assert unnamed(modules(tmp_path), names) == ["fundraising/core/bulk.py"]
    assert nonexistent(names, tmp_path) == ["fundraising/core/ghost.py"]
