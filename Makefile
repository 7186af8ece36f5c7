# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint translations extract-messages update-messages chromium migrate seed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,redis]"
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d translations --statistics

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project="District portal" -o translations/messages.pot portal auth citizen gov enterprise api

update-messages: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

migrate: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) load-calendar

seed: migrate
	$(FLASK) seed-demo --if-empty

run: translations seed
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

.PHONY: deploy worker backup
# A release on a server: migrations (one node at a time), calendar, open data (docs/deploy.md).
deploy: $(STAMP) translations
	$(FLASK) deploy

# With REDIS_URL set: the background job worker (docs/deploy.md).
worker: $(STAMP)
	$(FLASK) worker

backup: $(STAMP)
	$(FLASK) backup

# Debian's Chromium drives the browser tests; Playwright's own download cannot be used here.
chromium:
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

.PHONY: bench wrk
# The portal's pages against a bare Flask app under the same gunicorn (docs/performance.md). Debian's
# wrk drives the load; the scaled district is built once and cached. Fails when a row misses.
wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: $(STAMP) translations wrk
	$(BIN)/python -m bench.pages $(BENCH_ARGS)

.PHONY: security
# Static security checks (docs/security.md): bandit over the application, no medium or high
# finding; then pip-audit over the installed packages, where PyPI's advisories can be reached.
security: $(STAMP)
	$(BIN)/bandit -c pyproject.toml -q -r --severity-level medium portal auth citizen gov enterprise $(wildcard api)
	$(BIN)/python -m tests.security.dependency_audit

.PHONY: load
# Load and fault test: PostgreSQL, Redis, a worker and two nodes on loopback, 32 simulated people,
# a worker killed, the database restarted, Redis stopped; nothing acknowledged may be lost (bench/load).
load: $(STAMP) translations
	$(BIN)/python -m bench.load $(LOAD_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) translations chromium lint
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find translations -name '*.mo' -delete
