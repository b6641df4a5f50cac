# Two commands: `make dev` sets up and serves the app, `make test` sets up and runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: dev test setup lint pytest web-install web-build web-test e2e bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

dev: setup web-build
	$(PY) dev_server.py --host $(HOST) --port $(PORT)

test: setup lint pytest web-test e2e

lint: setup
	$(VENV)/bin/ruff check .

pytest: setup
	$(PY) -m pytest

# The web targets are filled in by devussy-web (see docs/web.md).
web-install:
web-build:
web-test:
e2e:

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) devussy-web/node_modules devussy-web/out devussy-web/.next
