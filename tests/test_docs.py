"""The docs cannot drift from the code: docs/urls.md, docs/commands.md and docs/configuration.md against the URLconf,
the management commands, the Makefile and settings.py; help texts name real URLs; README.md stays short and its
links lead somewhere. (docs/layers.md's map has its own test, test_docs_layers.py.)"""

import ast
import io
import re
from contextlib import redirect_stdout
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.core.management import get_commands, load_command_class
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from fundraising.ledger.admin import EXPORT_FIELDS
from tests.factories import CampaignFactory

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CODE = "`([^`]+)`"
# What a placeholder in a documented path stands for, so the path can be resolved.
SAMPLES = {"slug": "demo", "token": "t0k3n", "subscription id": "sub_1", "year": "2026", "cs_id": "cs_test_1",
           "id": "1", "session_id": "cs_test_1"}


def read(name):
    return (ROOT / name).read_text(encoding="utf-8")


def table_rows(text, heading):
    """The cells of each row of the first table under `heading` (a Markdown heading's text)."""
    section = text.split(f"\n{heading}\n", 1)[1].split("\n#", 1)[0]
    table = re.search(r"^\|.*?(?=\n[^|]|\Z)", section, re.M | re.S).group(0)  # up to the first line not in it
    rows = [line.strip().strip("|").split(" | ") for line in table.splitlines()]
    return [[cell.strip() for cell in row] for row in rows[2:]]  # past the header and its rule


def sample(path):
    """A documented path with its placeholders filled in, its query string and a trailing "..." dropped."""
    path = path.split("?", 1)[0].rstrip(".…")
    return re.sub(r"<([^>]+)>", lambda m: SAMPLES.get(m.group(1), "x"), path)


# --- docs/urls.md ---


def documented_paths():
    """Every path docs/urls.md writes in code: `/w/<slug>.json`, `/admin/ledger/donation/export.csv`, ...; a
    `…/pay/` after `/demo-checkout/<cs_id>/` on the same line is `/demo-checkout/<cs_id>/pay/`."""
    paths = set()
    for line in read("docs/urls.md").splitlines():
        previous = None
        for code in re.findall(CODE, line):
            if previous and re.fullmatch(r"(…|\.\.\.)/\S*", code):
                code = previous.rstrip("/") + code.lstrip(".…")
            if re.fullmatch(r"/(?:[^\s<]|<[^>]+>)*", code):
                paths.add(code)
                previous = code
    return paths


def app_patterns(resolver=None, prefix=""):
    """(route, name) of every URL the project's apps declare, the admin's own left out."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver) and not route.startswith("admin/"):
            yield from app_patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry.name


def test_every_path_in_docs_urls_resolves(client, db):
    unresolved = []
    for path in sorted(documented_paths()):
        if path.startswith(settings.STATIC_URL):
            if not finders.find(path.removeprefix(settings.STATIC_URL)):
                unresolved.append(path)
            continue
        try:
            resolve(sample(path))
        except Resolver404:
            if path.endswith("/") and any(route.startswith(path[1:]) for route, _ in app_patterns()):
                continue  # a prefix such as `/w/` names the URLs under it
            if client.get(sample(path)).status_code == 404:  # nor does a middleware answer it (/livez)
                unresolved.append(path)
    assert unresolved == [], "docs/urls.md names paths no URL pattern answers"


def test_every_url_of_the_apps_is_in_docs_urls():
    documented = set()
    for path in documented_paths():
        try:
            documented.add(resolve(sample(path)).url_name)
        except Resolver404:
            pass  # the test above names it
    missing = sorted(f"/{route} ({name})" for route, name in app_patterns() if name not in documented)
    assert missing == [], "URLs without a line in docs/urls.md"


def test_the_csv_columns_in_docs_urls_are_the_exports():
    columns = re.search(r"Columns: `([^`]+)`", read("docs/urls.md")).group(1)
    assert re.split(r",\s*", columns.strip()) == list(EXPORT_FIELDS)


# --- docs/commands.md and the Makefile ---


def documented_commands():
    """The first word of each command in the first column of "## Management commands"."""
    names = set()
    for row in table_rows(read("docs/commands.md"), "## Management commands"):
        names |= {code.split()[0] for code in re.findall(CODE, row[0])}
    return names


def project_commands():
    return {name for name, app in get_commands().items() if app.startswith("fundraising.")}


def test_every_management_command_is_in_docs_commands():
    assert sorted(project_commands() - documented_commands()) == []


@pytest.mark.parametrize("name", sorted(documented_commands()))
def test_every_documented_command_exists_and_its_help_runs(name):
    commands = get_commands()
    assert name in commands, f"docs/commands.md documents `{name}`, which manage.py does not have"
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit) as exited:
        load_command_class(commands[name], name).run_from_argv(["manage.py", name, "--help"])
    assert exited.value.code == 0
    assert f"usage: manage.py {name}" in out.getvalue()


def make_recipes():
    """{target: [recipe lines]} of the Makefile's rules."""
    recipes, target = {}, None
    for line in read("Makefile").splitlines():
        rule = re.match(r"^([\w.-]+):(?!=)", line)
        if rule:
            target = rule.group(1)
            recipes[target] = []
        elif line.startswith("\t") and target:
            recipes[target].append(line.strip())
        elif line and not line.startswith("#"):
            target = None
    return recipes


def make_targets_documented():
    """{target: its row's description} from "## Make targets"."""
    rows = table_rows(read("docs/commands.md"), "## Make targets")
    return {code.split()[1]: row[1] for row in rows for code in re.findall(CODE, row[0]) if code.startswith("make ")}


def test_every_make_target_is_in_docs_commands():
    phony = re.search(r"^\.PHONY:(.*)$", read("Makefile"), re.M).group(1).split()
    missing = sorted(target for target in phony if target in make_recipes() and target not in make_targets_documented())
    assert missing == []


def test_make_lint_in_docs_commands_names_each_check_the_makefile_runs():
    described = make_targets_documented()["lint"]
    for line in make_recipes()["lint"]:
        # `$(VENV)/bin/ruff check .` is `ruff check .`; `DEBUG=1 $(PY) manage.py makemigrations ...` its last part
        check = re.sub(r"^(\w+=\S+\s+)*(\$\(\w+\)(/bin/)?)?\s*(manage\.py\s+)?", "", line)
        assert f"`{check}`" in described, f"docs/commands.md's `make lint` leaves out `{check}`"


# --- docs/configuration.md and settings.py ---


def settings_variables():
    """Every environment variable settings.py reads: the first argument of env.str(...), env_int(...), any helper
    whose name starts with env, os.environ.get(...), os.getenv(...) and os.environ[...]."""
    names = set()
    for node in ast.walk(ast.parse(read("fundraising/settings.py"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            reads = (isinstance(func, ast.Name) and func.id.startswith("env")) or (
                isinstance(func, ast.Attribute)
                and (ast.unparse(func.value) in ("env", "os.environ") or ast.unparse(func) == "os.getenv")
            )
            if reads:
                names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            if isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
    return {name for name in names if isinstance(name, str) and re.fullmatch(r"[A-Z][A-Z0-9_]+", name)}


def configuration_variables(settings_only=False):
    """The variables in the first column of docs/configuration.md's tables; with settings_only, those a table's
    "read by" column does not give to another file (tests/conftest.py, manage.py)."""
    names = set()
    for table in re.findall(r"(?:^\|.*\n?)+", read("docs/configuration.md"), re.M):
        lines = table.splitlines()
        header, _, *rows = [[cell.strip() for cell in line.strip().strip("|").split(" | ")] for line in lines]
        read_by = header.index("read by") if "read by" in header else None
        for row in rows:
            if settings_only and read_by is not None and "settings.py" not in row[read_by]:
                continue
            names |= {name for name in re.findall(CODE, row[0]) if re.fullmatch(r"[A-Z][A-Z0-9_]+", name)}
    return names


def test_every_variable_settings_reads_is_in_docs_configuration():
    assert sorted(settings_variables() - configuration_variables()) == []


def test_every_variable_in_docs_configuration_is_read_by_settings():
    assert sorted(configuration_variables(settings_only=True) - settings_variables()) == []


def test_the_settings_parser_sees_every_kind_of_read():
    """The two tests above are only as good as this parser: it must see each way settings.py reads a variable."""
    found = settings_variables()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "LOG_LEVEL", "DONATION_RATE_LIMIT"} <= found
    assert "FUNDRAISING_IGNORE_DOTENV" in found  # os.environ.get


# --- help texts that name a URL ---


class HelpTexts(HTMLParser):
    """The text of every `<div class="help">` of an admin page."""

    def __init__(self):
        super().__init__()
        self.texts, self.depth = [], 0

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag == "div"
        elif tag == "div" and "help" in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.texts.append("")

    def handle_endtag(self, tag):
        if self.depth and tag == "div":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.texts[-1] += data


def urls_named(text):
    """The paths a help text names: `/w/demo.json`, or a SITE_URL address's path."""
    text = text.replace(settings.SITE_URL, " ")
    return re.findall(r"(?:(?<=\s)|^)(/[^\s\"')]*[^\s\"').,])", text)


def admin_pages(campaign):
    for model, model_admin in admin.site._registry.items():
        info = f"/admin/{model._meta.app_label}/{model._meta.model_name}"
        yield f"{info}/add/"
        if model is type(campaign):
            yield f"{info}/{campaign.pk}/change/"


def test_every_help_text_that_names_a_url_names_a_real_one(client, admin_user):
    campaign = CampaignFactory(slug="demo", supporters_wall=True)
    client.force_login(admin_user)
    named, wrong = set(), []
    for page in admin_pages(campaign):
        response = client.get(page)
        if response.status_code != 200:  # an admin that adds nothing (the ledger, events): no form
            continue
        parser = HelpTexts()
        parser.feed(response.content.decode())
        for text in parser.texts:
            for path in urls_named(text):
                named.add(path)
                try:
                    resolve(sample(path))
                except Resolver404:
                    wrong.append(f"{page}: {path!r} in {text.strip()!r}")
            wrong += [f"{page}: {doc} in {text.strip()!r}" for doc in re.findall(r"docs/[\w-]+\.md", text)
                      if not (ROOT / doc).exists()]
    assert wrong == []
    assert "/w/demo/supporters.json" in named  # the test reads the help texts it means to


def test_every_help_text_of_a_model_field_that_names_a_url_names_a_real_one():
    wrong = []
    for model in apps.get_models():
        if not model.__module__.startswith("fundraising."):
            continue
        for field in model._meta.get_fields():
            for path in urls_named(str(getattr(field, "help_text", "") or "")):
                try:
                    resolve(sample(path))
                except Resolver404:
                    wrong.append(f"{model.__name__}.{field.name}: {path}")
    assert wrong == []
# --- README.md and the links between the docs ---


def anchors(page):
    """GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces to hyphens."""
    # A shell comment in a code block is no heading.
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    headings = re.findall(r"^#+ (.+)$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def test_readme_stays_short():
    lines = len(read("README.md").splitlines())
    assert lines < 200, f"README.md has {lines} lines: move details into docs/ and link them"


def test_every_link_in_readme_and_docs_leads_to_a_file_and_heading():
    broken = []
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:|SITE/", target):  # a scheme, a snippet's placeholder address
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path) if path else page
            if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in anchors(linked)):
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []


def test_the_docs_spell_organisation_the_british_way():
    """One spelling in UI and docs (the admin's is tested in tests/campaigns/test_models_spelling.py); code names
    such as `Organization` are left as Django spells them."""
    american = []
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        prose = re.sub(r"```.*?```|`[^`]*`", "", page.read_text(encoding="utf-8"), flags=re.S)
        american += [f"{page.relative_to(ROOT)}: {word}" for word in re.findall(r"\b[Oo]rganizations?\b", prose)]
    assert american == []
