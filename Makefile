# The two commands: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: demo test test-dates install lint messages bench clean

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
test-dates: install
	@failed=""; for now in $(DATES); do \
		echo "=== clock at $$now (Europe/Warsaw)"; \
		env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -n 2 --dist loadfile -q -m "not browser" \
			--now=$$now $(DATE_TESTS) $(PYTEST_ARGS) || failed="$$failed $$now"; \
	done; \
	if [ -n "$$failed" ]; then echo "=== failed with the clock at:$$failed"; exit 1; fi

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
