# Bruggen: `make run` serves the app on the embedded default; `make test` runs the whole suite.
# Both install what they need first. See README.md and docs/operations.md.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py

.PHONY: run test test-unit test-browser e2e lint format install install-browser messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

# Reinstall when the pinned dependencies or the front-end lock file change.
$(VENV)/.installed: pyproject.toml package-lock.json | $(BIN)/python
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r pyproject.toml --extra dev
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

messages: install
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

run: install messages
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_demo
	@echo ""
	@echo "  Bruggen runs at http://127.0.0.1:$(PORT)/   (Ctrl-C stops it)"
	@echo ""
	MATCHING_INDEX_WARM=1 $(BIN)/uvicorn config.asgi:application --host 127.0.0.1 --port $(PORT) --lifespan off --ws-per-message-deflate false --ws-max-size 131072

# Uses PostgreSQL and Redis when they answer at their usual local addresses; with CI=true
# it never falls back to SQLite or the in-memory layer and never skips.
test: install messages
	@source scripts/test-env.sh && \
	  timeout 1200 $(BIN)/pytest -m "not browser" $(PYTEST_ARGS) && \
	  timeout 900 $(BIN)/pytest -m browser $(PYTEST_ARGS)

test-unit: install messages
	@source scripts/test-env.sh && $(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

e2e test-browser: install messages
	@source scripts/test-env.sh && $(BIN)/pytest -m browser $(PYTEST_ARGS)

install-browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules staticfiles var/test-db.sqlite3
