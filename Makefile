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
		--project="District portal" -o translations/messages.pot portal auth citizen gov enterprise

update-messages: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

migrate: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) load-calendar

seed: migrate
	$(FLASK) seed-demo --if-empty

run: translations seed
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# Debian's Chromium drives the browser tests; Playwright's own download cannot be used here.
chromium:
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) translations chromium lint
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find translations -name '*.mo' -delete
