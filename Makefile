# Transit Monitor — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DJANGO_SETTINGS_MODULE := transit_monitor.settings

.PHONY: run test lint format typecheck install install-dev messages seed clean image-check

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

messages: $(VENV)/.installed
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages -v0 --ignore=.venv; \
	else echo "msgfmt not found (apt-get install gettext): English strings stay untranslated"; fi

## The app on the embedded default: SQLite, media on disk, demo data; the web server, a Celery worker and
## Celery beat on a broker in files under var/broker (core/management/commands/run_embedded.py). Ctrl-C stops all.
ADDRPORT ?= 127.0.0.1:8000
# Links in notifications and the address seed_demo prints follow the port asked for.
SITE_URL ?= http://$(ADDRPORT)
run: $(VENV)/.installed messages
	$(PY) manage.py migrate -v0
	$(PY) manage.py collectstatic --noinput -v0
	SITE_URL=$(SITE_URL) $(PY) manage.py seed_demo --once --declarations 20000
	# exec: make is its parent, so SIGTERM to make stops it too (run_embedded follows its parent).
	SITE_URL=$(SITE_URL) exec $(PY) manage.py run_embedded $(ADDRPORT)

## The whole suite (SQLite by default; PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set).
## The suite runs in one process per core (pytest-xdist; a test file stays in one process, so its module
## fixtures start once). Each process has its own test database, Redis database and server ports
## (transit_monitor/settings.py, tests/pgcluster.py). TEST_WORKERS=0 runs it in this process alone.
TEST_WORKERS ?= auto
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

test: $(VENV)/.installed-dev messages
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run -v1
	$(VENV)/bin/pytest $(XDIST) $(PYTEST_ARGS)

# The layers contract (pyproject.toml [tool.importlinter]) names core and casework as root packages;
# until they exist, it runs on a copy of pyproject.toml without them (import-linter needs every root to exist).
MISSING_ROOTS := $(filter-out $(wildcard core casework),core casework)
ifeq ($(MISSING_ROOTS),)
LINT_IMPORTS := $(VENV)/bin/lint-imports --no-logo --no-cache
else
LINT_IMPORTS := mkdir -p var && sed -E '$(foreach p,$(MISSING_ROOTS),s/"$(p)", //;)' pyproject.toml > var/importlinter.toml \
	&& $(VENV)/bin/lint-imports --no-logo --no-cache var/importlinter.toml
endif

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	$(LINT_IMPORTS)

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(VENV)/.installed-dev
	$(VENV)/bin/mypy $(wildcard core casework) accounts notifications declarations anpr scans reports transit_monitor

## The production image's install steps (deploy/build-image.sh, as the Dockerfile runs them) into an empty
## scratch prefix, without Docker: every pinned package downloaded and installed, then `check --deploy`.
image-check:
	rm -rf var/image-check
	STATIC_ROOT=var/image-check/static sh deploy/build-image.sh var/image-check/venv

clean:
	rm -rf $(VENV) var db.sqlite3*
