# Two commands: `make dev` sets up and serves the app, `make test` sets up and runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: dev test setup lint pytest web-install web-types web-types-check web-build web-test e2e bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dev: setup web-build
	$(PY) dev_server.py --host $(HOST) --port $(PORT)

test: setup lint pytest web-types-check web-test e2e

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

pytest: setup
	$(PY) -m pytest

# The web UI: install (npm ci), static build, unit tests and browser tests (docs/web.md).
WEB := devussy-web
WEB_STAMP := $(WEB)/node_modules/.devussy-installed
CHROMIUM ?= /usr/bin/chromium

web-install: $(WEB_STAMP)

$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

# The UI's wire types and schemas, generated from the server's OpenAPI document (docs/web.md).
web-types: setup web-install
	cd $(WEB) && PYTHON=$(abspath $(PY)) npm run --silent gen:wire

# Fails when the checked-in generated files differ from what the Python models produce now.
web-types-check: setup web-install
	cd $(WEB) && PYTHON=$(abspath $(PY)) npm run --silent check:wire

web-build: web-install
	cd $(WEB) && NEXT_TELEMETRY_DISABLED=1 npm run --silent build

web-test: web-install
	cd $(WEB) && npm run --silent typecheck && npm test --silent

e2e: setup web-build
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	cd $(WEB) && CHROMIUM_PATH=$(CHROMIUM) npx playwright test

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) devussy-web/node_modules devussy-web/out devussy-web/.next
