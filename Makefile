# The two commands: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: demo test test-dates install lint messages bench clean stack loadtest backup restore

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# axe-core for the accessibility checks in the browser tests (npm, if present).
$(NPM_STAMP): package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent && touch $(NPM_STAMP); \
	else echo "npm not found: accessibility checks will be skipped"; fi

install: $(STAMP)
	$(PY) manage.py compile_translations

# The demo lets coordinators in without an authenticator app (MFA_REQUIRED=0);
# production requires one. `make demo MFA_REQUIRED=1` shows the real flow.
MFA_REQUIRED ?= 0
demo: export MFA_REQUIRED := $(MFA_REQUIRED)
# The console shows warnings and errors, the login table and the address;
# `make demo LOG_LEVEL=INFO` shows every request too, DEBUG_ERROR_PAGES=1 Django's debug pages.
demo: export DJANGO_RUNSERVER_HIDE_WARNING := true
demo: install
	@$(PY) manage.py migrate --no-input --verbosity 0
	@$(PY) manage.py seed_demo
	@echo ""
	@echo "  Cooperation runs at http://127.0.0.1:8000/  (Ctrl+C stops it)"
	@echo ""
	@$(PY) manage.py runserver --skip-checks 127.0.0.1:8000

test: install $(NPM_STAMP)
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# The date-sensitive tests again with the clock moved (tests/conftest.py --now, time-machine)
# to the awkward days: the Friday before a DST change, late evening; 29 February just after
# midnight (the UTC date is still the 28th); New Year's Eve, late evening; the Saturday
# before a Polish public holiday (1 November, the weekend the clocks go back). SQLite,
# eager tasks: PostgreSQL's own clock cannot be moved. Every day runs, then it fails if
# any did. `make test-dates DATES=2030-01-01T12:00` for one day.
DATES ?= 2027-03-26T23:30 2028-02-29T00:30 2026-12-31T23:30 2027-10-30T10:00
DATE_TESTS ?= tests/meetings tests/partners tests/promotion tests/reintegration \
	tests/agreements/test_workflow.py tests/clients/test_retention.py tests/clients/test_sharing.py \
	tests/joboffers/test_publishing.py tests/sepi/test_lookups.py
# Modules of those folders with no date logic (directories, admin, word checks and
# rules without dates, waiting lists, the feeds' isolation): left to the ordinary
# runs, for CI's time. New modules of the folders run on the moved clocks unless listed.
# These modules keep no state between tests, so the workers take single tests
# (--dist worksteal): neither waits at the end on the other's last long module.
DATE_FREE ?= tests/meetings/test_feed_isolation.py tests/meetings/test_waiting_list.py \
	tests/meetings/test_words.py tests/partners/test_admin.py tests/partners/test_directory.py \
	tests/reintegration/test_rule_r3.py tests/reintegration/test_plan_search.py \
	tests/reintegration/test_words.py
test-dates: install
	@failed=""; for now in $(DATES); do \
		echo "=== clock at $$now (Europe/Warsaw)"; \
		env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -n 2 --dist worksteal -q -m "not browser" \
			--now=$$now $(DATE_TESTS) $(addprefix --ignore=,$(DATE_FREE)) $(PYTEST_ARGS) || failed="$$failed $$now"; \
	done; \
	if [ -n "$$failed" ]; then echo "=== failed with the clock at:$$failed"; exit 1; fi

# The production topology on this machine (no Docker): Debian's nginx with TLS on
# https://127.0.0.1:8443/, two gunicorn web processes, two Celery workers, beat, its own
# Redis (port 6390) and the SEPI simulator, on this machine's PostgreSQL
# (STACK_DATABASE_URL, default .../cooperation_stack), seeded with the demo. honcho
# runs the Procfile; Ctrl+C stops everything. See deploy/stack.py for the settings.
NGINX := $(shell command -v nginx || ls /usr/sbin/nginx 2>/dev/null)
stack: install
	@test -n "$(NGINX)" || { echo "nginx is missing: apt-get install -y nginx (the service need not run)"; exit 1; }
	@$(PY) deploy/stack.py prepare --seed
	@$(VENV)/bin/honcho -f Procfile -e "$${STACK_DIR:-/tmp/cooperation-stack}/stack.env" start

# Locust through nginx against the stack, with a web process and a worker killed and
# Redis restarted mid-run; then the checks (nothing lost, nothing twice, every write
# audited). Prints and writes loadtest-results.json. LOADTEST_USERS, LOADTEST_DURATION,
# LOADTEST_KILL_AT, LOADTEST_REDIS_AT (seconds) change the run.
LOAD_STAMP := $(VENV)/.installed-load
$(LOAD_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,load]"
	touch $(LOAD_STAMP)
loadtest: install $(LOAD_STAMP)
	@test -n "$(NGINX)" || { echo "nginx is missing: apt-get install -y nginx (the service need not run)"; exit 1; }
	$(PY) loadtest/run.py

# PostgreSQL backups (DATABASE_URL): a pg_dump with a manifest of row counts and the
# audit log's digest; restore into an empty database, checked against it.
#   make backup                                   -> backups/cooperation-<UTC time>.dump
#   make restore BACKUP=backups/….dump RESTORE_URL=postgres://…/empty_db
BACKUP ?= backups/cooperation-$(shell date -u +%Y%m%dT%H%M%SZ).dump
backup: install
	$(PY) manage.py backup $(BACKUP)
restore: install
	@test -n "$(RESTORE_URL)" || { echo "set RESTORE_URL=postgres://…/empty_database"; exit 1; }
	$(PY) manage.py restore $(BACKUP) --into "$(RESTORE_URL)"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# Re-extract translatable strings (needs GNU gettext; only for developers).
messages: $(STAMP)
	$(PY) manage.py makemessages -l pl --no-obsolete --ignore=.venv --ignore=node_modules
	$(PY) manage.py compile_translations

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
