"""Tests mirror the code (tests/README.md): a file in tests/<app>/ is named test_<module>[_<aspect>].py for a module
of fundraising/<app>/, and only the files of ROOT_TESTS sit at the root."""

import re
import shlex
import tomllib
from pathlib import Path, PurePosixPath

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CODE = ROOT / "fundraising"

# Tests of no single app, each with the reason it stays here (tests/README.md says the same).
ROOT_TESTS = {
    "test_layers.py": "the layer contract and import cycles of all of fundraising/",
    "test_docs_layers.py": "docs/layers.md against every module",
    "test_docs.py": "docs/*.md and README.md against the URLconf, commands, Makefile and settings.py",
    "test_settings.py": "fundraising/settings.py, in no app: start-up refuses bad configuration",
    "test_settings_login_throttle.py": "the admin's sign-in throttle, configured in settings.py only",
    "test_accessibility_axe.py": "axe-core on pages of several apps (donation, widgets, admin)",
    "test_accessibility_forced_colors.py": "forced colours on the donation page and every widget format",
    "test_manage.py": "manage.py, in no app: a command without its configuration fails in one line",
    "test_tree.py": "this layout, the markers, and that `make test` runs every test",
}


def apps(code=CODE):
    return {path.parent.name for path in code.glob("*/__init__.py")}


def module_names(app, code=CODE):
    """Every module of an app at any depth (management/commands/<name>.py, templatetags/<name>.py), by file
    name, and `migrations` for the app's migrations as a whole."""
    folder = code / app
    names = {
        path.stem
        for path in folder.rglob("*.py")
        if path.stem != "__init__" and "migrations" not in path.relative_to(folder).parts
    }
    return names | {"migrations"} if (folder / "migrations").is_dir() else names


def misnamed(path, code=CODE):
    """Why a test file at `path` (relative to tests/) breaks the layout, or None."""
    path = PurePosixPath(path)
    if len(path.parts) == 1:
        return None if path.name in ROOT_TESTS else "at the root: move it to tests/<app>/ or justify it in ROOT_TESTS"
    if len(path.parts) > 2:
        return "nested: tests/<app>/ holds its tests directly"
    app = path.parts[0]
    if app not in apps(code):
        return f"tests/{app}/ is not an app: fundraising/{app}/ has no __init__.py"
    stem = path.stem.removeprefix("test_")
    if any(stem == name or stem.startswith(f"{name}_") for name in module_names(app, code)):
        return None
    return f"names no module of fundraising/{app}/: test_<module>[_<aspect>].py"


def test_each_test_file_is_named_for_a_module_of_its_app_or_allowed_at_the_root():
    found = {path.relative_to(TESTS).as_posix() for path in TESTS.rglob("test_*.py")}
    assert {path: misnamed(path) for path in sorted(found) if misnamed(path)} == {}


def test_each_app_folder_is_a_package():
    # Without __init__.py, two folders' test_admin.py would clash as one module name.
    folders = {path.parent for path in TESTS.rglob("test_*.py")} - {TESTS}
    assert sorted(str(f.relative_to(TESTS)) for f in folders if not (f / "__init__.py").exists()) == []


def test_the_allow_list_names_files_that_exist():
    assert sorted(name for name in ROOT_TESTS if not (TESTS / name).exists()) == []


def test_the_rule_refuses_what_a_newcomer_could_not_find():
    assert misnamed("widgets/test_render_svg.py") is None
    assert misnamed("ledger/test_record_offline_gift.py") is None  # management/commands/record_offline_gift.py
    assert misnamed("supporters/test_supporters.py") is None  # templatetags/supporters.py
    assert misnamed("integrations/test_migrations_milestone_webhooks.py") is None
    assert "names no module" in misnamed("widgets/test_widget_svg.py")  # a feature name
    assert "names no module" in misnamed("core/test_render.py")  # render.py is the widgets'
    assert "names no module" in misnamed("core/test_moneyish.py")  # a prefix of a word is not the module
    assert "not an app" in misnamed("billing/test_invoices.py")
    assert "nested" in misnamed("payments/handlers/test_handlers.py")
    assert "at the root" in misnamed("test_money.py")


# --- The selection: every marker declared and explained, every test file run by `make test` ---

PYTEST_MARKS = {"parametrize", "skip", "skipif", "xfail", "usefixtures", "filterwarnings", "django_db"}


def pytest_options():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]


def declared_markers():
    return {line.split(":")[0].strip() for line in pytest_options()["markers"]}


def used_markers():
    return {name for path in TESTS.rglob("*.py") for name in re.findall(r"\bmark\.(\w+)", path.read_text())}


def pytest_runs(target):
    """The pytest commands of a Makefile target's recipe as argument lists, its $(VARIABLES) expanded."""
    makefile = (ROOT / "Makefile").read_text()
    variables = dict(re.findall(r"^(\w+) *[:?]?= *(.*)$", makefile, re.M))
    recipe = re.search(rf"^{target}:.*\n((?:\t.*\n)*)", makefile, re.M).group(1)
    runs = []
    for line in recipe.splitlines():
        while re.search(r"\$\((\w+)\)", line):
            line = re.sub(r"\$\((\w+)\)", lambda m: variables[m.group(1)], line)
        argv = shlex.split(line)
        if argv[0].endswith("/pytest"):
            runs.append(argv[1:])
    return runs


def selections(runs):
    """Each run's -m expression; refuses any other way of leaving tests out (paths, -k, --ignore, --deselect)."""
    expressions = []
    for argv in runs:
        argv = [arg for arg in argv if not re.fullmatch(r"--durations=\d+", arg)]  # reports, selects nothing
        options = dict(zip(argv[::2], argv[1::2], strict=True))
        assert set(options) <= {"-n", "-m"}, f"a run that leaves tests out: {argv}"
        expressions.append(options.get("-m"))
    return expressions


def test_every_marker_used_is_declared_and_every_declared_one_used():
    assert sorted(used_markers() - PYTEST_MARKS - declared_markers()) == []
    assert sorted(declared_markers() - used_markers()) == []


def test_every_marker_is_explained_in_tests_readme():
    readme = (TESTS / "README.md").read_text()
    assert sorted(name for name in declared_markers() if f"| `{name}` |" not in readme) == []


def test_make_test_runs_every_test_exactly_once():
    """Two runs, the tests that run alone (`-m "X"`) and all the others (`-m "not (X)"`); or one run of everything."""
    expressions = selections(pytest_runs("test"))
    if expressions != [None]:
        alone = [e for e in expressions if not e.startswith("not (")]
        assert len(expressions) == 2 and len(alone) == 1 and f"not ({alone[0]})" in expressions, expressions
    options = pytest_options()
    assert options["testpaths"] == ["tests"] and "python_files" not in options
    assert not re.search(r"(^| )(-m|-k|--ignore|--ignore-glob|--deselect)\b", options["addopts"]), options["addopts"]
    assert (
        sorted(str(p.relative_to(ROOT)) for p in TESTS.rglob("conftest.py") if "collect_ignore" in p.read_text()) == []
    )


def test_no_test_sits_in_a_file_pytest_never_collects():
    helpers = [path for path in TESTS.rglob("*.py") if not path.name.startswith("test_")]
    assert (
        sorted(str(p.relative_to(TESTS)) for p in helpers if re.search(r"^(def test_|class Test)", p.read_text(), re.M))
        == []
    )


def test_the_selection_check_accepts_two_passes():
    assert selections([["-n", "auto", "-m", "not (a)"], ["-m", "a"]]) == ["not (a)", "a"]
    assert selections([["-n", "auto", "-m", "not (a)", "--durations=15"], ["-m", "a"]]) == ["not (a)", "a"]


@pytest.mark.parametrize("argv", [["tests/ledger"], ["-k", "webhook"], ["--ignore", "tests/ops"], ["-x", "-m", "a"]])
def test_the_selection_check_refuses_a_run_that_leaves_tests_out(argv):
    with pytest.raises((AssertionError, ValueError)):
        selections([argv])
