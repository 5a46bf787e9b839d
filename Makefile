# Two commands on a fresh machine: `make demo` runs the product, `make test` passes the tests.
# `make demo` gives through a local test checkout page (STRIPE_DEMO_CHECKOUT=1) unless STRIPE_SECRET_KEY is set.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The demo's e-mails are kept for /mailbox/ (fundraising/ops/mailbox.py), each one named on the console.
DEMO_ENV := DEBUG=$${DEBUG:-1} STRIPE_WEBHOOK_SECRET=$${STRIPE_WEBHOOK_SECRET:-whsec_demo_local_only} \
	STRIPE_DEMO_CHECKOUT=$${STRIPE_DEMO_CHECKOUT:-1} EMAIL_BACKEND=$${EMAIL_BACKEND:-fundraising.ops.mailbox.MailboxBackend}

.PHONY: demo test test-fast test-operator lint worker serve migrate clean axe mutants embed requirements altcha

# `make demo` needs only what running needs (requirements.txt); tests, lint and mutants add the dev set.
# --no-compile: Python compiles what it imports on first use, instead of every file of every package up front.
$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --no-compile --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.runtime
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo

# Web only on embedded defaults (SQLite, in-process tasks); with REDIS_URL set, web + worker + beat.
# honcho (web + worker + beat) is a development tool: installed only when REDIS_URL asks for it.
demo: migrate
	@if [ -n "$$REDIS_URL" ]; then $(MAKE) --no-print-directory $(VENV)/.installed && PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(DEMO_ENV) $(VENV)/bin/honcho start; \
	else $(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:8000; fi

worker: $(VENV)/.runtime
	$(DEMO_ENV) $(VENV)/bin/celery -A fundraising worker --beat --loglevel=INFO --concurrency=2

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# axe-core for the accessibility check and terser for embed.js; without npm those tests skip (fail when
# REQUIRE_SERVICES=1).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

axe:
	@if command -v npm >/dev/null; then $(MAKE) node_modules/.installed; else echo "npm not found: skipping axe-core"; fi

# What /static/fundraising/embed.js serves: assets/embed.js minified by terser (pinned in package.json, options
# in assets/terser.json). Run after editing assets/embed.js; tests/widgets/test_embed_palette_script.py fails on
# a stale copy.
embed: node_modules/.installed
	node_modules/.bin/terser assets/embed.js --config-file assets/terser.json > static/fundraising/embed.js

# What /static/fundraising/altcha.js serves: the ALTCHA widget (pinned in package.json) with its translations,
# served from our own origin and committed, so `make demo` needs no npm. Run after changing its version;
# tests/payments/test_challenge.py fails on a stale copy.
altcha: node_modules/.installed
	cp node_modules/altcha/dist/main/altcha.i18n.min.js static/fundraising/altcha.js

# The whole suite in two passes (docs/development.md, "Tests and CI"): everything but the tests that start servers or
# Celery workers spread over TEST_WORKERS processes (pytest-xdist: each its own test database and Redis db), then
# those, one at a time, so their timings and subprocesses never compete with the rest. Together: every test.
# Each pass ends with its slowest tests (--durations), so a test that grew slow shows in every CI log.
TEST_WORKERS ?= auto
ALONE := server or worker
test: lint axe
	$(VENV)/bin/pytest -n $(TEST_WORKERS) -m "not ($(ALONE))" --durations=15
	$(VENV)/bin/pytest -m "$(ALONE)" --durations=5

# While you work: the tests that need no browser, worker or server and take no more than a few seconds, in parallel.
FAST := not browser and not worker and not server and not slow
test-fast: $(VENV)/.installed
	$(VENV)/bin/pytest -n $(TEST_WORKERS) -q -m "$(FAST)"

# As an operator installs it: a fresh virtualenv from requirements.txt only, gunicorn -w 2, a signed
# event over HTTP; on PostgreSQL + Redis (worker, beat) and on the embedded default. Needs both services.
test-operator:
	deploy/smoke.sh

# Mutation testing (docs/development.md, "Mutation testing"); not part of `make test`. On SQLite, tasks in-process;
# ONLY='fundraising.payments.recording*' limits the run. Fails when a mutant survives that
# mutants-accepted.txt does not explain.
ONLY ?=
mutants: $(VENV)/.installed
	env -u DATABASE_URL -u REDIS_URL -u REQUIRE_SERVICES $(VENV)/bin/mutmut run --max-children 2 $(ONLY)
	@$(VENV)/bin/mutmut results | sed -n 's/^ *\([^:]*\): \(survived\|no tests\|timeout\|suspicious\)$$/\1/p' \
		| sort > mutants/alive.txt
	@grep -v '^#' mutants-accepted.txt | cut -d' ' -f1 | sort | comm -23 mutants/alive.txt - > mutants/unexplained.txt
	@echo "killed $$($(VENV)/bin/mutmut results --all true | grep -c ': killed$$'), alive $$(wc -l < mutants/alive.txt)"
	@if [ -s mutants/unexplained.txt ]; then echo "Survivors not in mutants-accepted.txt:"; \
		cat mutants/unexplained.txt; exit 1; fi

# requirements*.txt: every transitive dependency pinned with its hashes, compiled from requirements*.in by
# pip-tools (docs/operations.md, "Dependencies"). Add --upgrade-package NAME (PIP_COMPILE_ARGS) to move one.
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	--no-emit-find-links $(PIP_COMPILE_ARGS)
requirements: $(VENV)/.installed
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm var staticfiles node_modules mutants
