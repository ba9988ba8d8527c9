# Two commands: `make run` (serve the demo city on SQLite) and `make test` (ruff and the whole suite).
# DATABASE_URL switches both to PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/pekalongan

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench loadtest check-tools deps dev-deps static-deps lint messages clean

run: check-tools deps static-deps
	@test -f .demo-password || $(PY) -c "import secrets; print(secrets.token_urlsafe(9))" > .demo-password
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py seed_demo --password="$$(cat .demo-password)"
	@echo "Serving on http://$(HOST):$(PORT)/  (demo password: $$(cat .demo-password); Ctrl-C stops)"
# The task worker (it sends the messages) runs beside the server, in this terminal, and stops with it.
	DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
		DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: check-tools dev-deps static-deps lint
	$(VENV)/bin/pytest

# Benchmarks on PostgreSQL (DATABASE_URL=postgres://...): seeds bench_city and bench_province once,
# prints the timings and writes them to docs/PERFORMANCE.md.
bench: check-tools dev-deps static-deps
	$(PY) bench/run.py

# Load test on PostgreSQL (DATABASE_URL=postgres://...): 51 people for 60 s against gunicorn and the
# task worker on the province database; locust lives in its own virtual environment, .venv-load.
# A short trial that leaves docs/PERFORMANCE.md alone: LOAD_DB=bench_city LOAD_SECONDS=20 make loadtest
loadtest: check-tools deps static-deps $(VENV)-load/bin/locust
	$(PY) bench/loadtest.py

$(VENV)-load/bin/locust: bench/requirements-load.txt
	$(PYTHON) -m venv $(VENV)-load
	$(VENV)-load/bin/pip install --quiet -r bench/requirements-load.txt
	@touch $@

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

check-tools:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null \
		|| { echo "Python 3.11 or newer is needed as '$(PYTHON)' (try: make PYTHON=python3.12 ...)."; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null \
		|| { echo "Python's venv module is missing (Debian/Ubuntu: apt-get install python3-venv)."; exit 1; }
	@command -v npm >/dev/null \
		|| { echo "Node.js 18 or newer with npm is needed for Bootstrap, htmx and Chart.js (https://nodejs.org)."; exit 1; }
	@node -e 'process.exit(parseInt(process.versions.node) >= 18 ? 0 : 1)' \
		|| { echo "Node.js 18 or newer is needed; this is $$(node --version)."; exit 1; }

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamps record what was installed, so a changed requirements file installs again.
$(VENV)/.deps: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps
static-deps: node_modules/.package-lock.json

# After changing user-facing text: update the Indonesian catalogue, translate, then compile.
messages: dev-deps
	DEBUG=1 $(PY) manage.py makemessages --locale id --no-obsolete --ignore "node_modules/*" --ignore ".venv/*" --ignore "tests/*"
	DEBUG=1 $(PY) manage.py compilemessages --locale id --ignore ".venv/*" --ignore "node_modules/*"

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
