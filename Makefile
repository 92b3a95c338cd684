# The few commands everyone runs. `make run` and `make test` work from a clean clone.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
PORT ?= 8000
VENDOR := src/nqihub/web/static/vendor
export DJANGO_SETTINGS_MODULE := nqihub.settings
export PYTHONPATH := src

.PHONY: system install assets run test lint migrate demo messages e2e bench clean schemathesis prod prod-check

$(BIN)/.installed: pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || PY=python3; \
	  test -x $(PYTHON) || $${PY:-python3} -m venv $(VENV) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	touch $@

# The source maps the minified files name (sourceMappingURL) are copied too: without them the hashed
# static storage of production (DEBUG=false) refuses to collect, and every page answered 500.
$(VENDOR)/.installed: package.json package-lock.json Makefile
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons/fonts $(VENDOR)/htmx $(VENDOR)/echarts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
	  node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
	  $(VENDOR)/bootstrap/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/bootstrap-icons/
	cp node_modules/bootstrap-icons/font/fonts/* $(VENDOR)/bootstrap-icons/fonts/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	touch $@

# System packages the app needs at run time: CJK fonts for PDF reports, HarfBuzz's subsetter (WeasyPrint
# subsets the embedded CJK fonts with it in ~0.2 s; without it, it falls back to fontTools, ~3 s a report),
# poppler (pdftotext/pdftoppm) and zbar (QR decoding) for the report checks. Installed with apt when
# missing and we may (root).
system:
	@fc-list 2>/dev/null | grep -q "Noto Sans CJK" && command -v pdftotext >/dev/null && command -v zbarimg >/dev/null \
	  && { ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; } \
	  || { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	         apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk poppler-utils zbar-tools libharfbuzz-subset0 >/dev/null; \
	       else echo "please install: fonts-noto-cjk poppler-utils zbar-tools libharfbuzz-subset0" >&2; fi; }

install: system $(BIN)/.installed assets messages

assets: $(VENDOR)/.installed

messages: $(BIN)/.installed
	$(PYTHON) manage.py compilemessages -v 0 --ignore='.venv' --ignore='node_modules' --ignore='.git'

migrate: install
	$(PYTHON) manage.py migrate --no-input -v 0
	$(PYTHON) manage.py migrate_private_files -v 0

# The demo's printed report QR codes point at the server `make run` starts (unless set otherwise).
demo run: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

demo: migrate
	$(PYTHON) manage.py load_reference
	$(PYTHON) manage.py load_standards
	$(PYTHON) manage.py load_ccc
	$(PYTHON) manage.py load_demo

run: demo
	$(PYTHON) manage.py collectstatic --no-input -v 0
	$(PYTHON) manage.py demo_logins
	$(PYTHON) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PYTHON) manage.py makemigrations --check --dry-run -v 0
	$(BIN)/pytest -p no:randomly

# Production in the foreground (docs/operations.md): gunicorn (WEB_CONCURRENCY workers, preloaded), a Celery
# worker and Celery beat, configured by the environment and .env (whose values win). It first checks the
# configuration and that PostgreSQL, Redis and the broker answer, and stops naming what is missing; then
# migrates, loads the reference data (idempotent) and collects the static files. SIGTERM/Ctrl-C stops all.
ENVRUN = $(BIN)/honcho run -e .env
prod: export DEBUG ?= false
prod: export PATH := $(CURDIR)/$(BIN):$(PATH)
prod: export PORT := $(PORT)
prod: install prod-check
	$(ENVRUN) $(PYTHON) manage.py migrate --no-input -v 0
	$(ENVRUN) $(PYTHON) manage.py migrate_private_files -v 0
	$(ENVRUN) $(PYTHON) manage.py load_reference
	$(ENVRUN) $(PYTHON) manage.py load_standards
	$(ENVRUN) $(PYTHON) manage.py load_ccc
	$(ENVRUN) $(PYTHON) manage.py collectstatic --no-input -v 0
	mkdir -p var
	exec $(BIN)/honcho start -e .env -f Procfile

# The production configuration and services, without starting anything (make prod runs it first).
prod-check: export DEBUG ?= false
prod-check: install
	$(ENVRUN) $(PYTHON) manage.py preflight

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Schemathesis over the whole OpenAPI document, as an administrator and as an enterprise user: no server
# error, every response as documented. SCHEMATHESIS_EXAMPLES bounds the examples per operation (default 12).
schemathesis: install
	NQIHUB_SCHEMATHESIS=1 $(BIN)/pytest -p no:randomly -q -m schemathesis src/nqihub/core/tests/test_schemathesis.py

# Browser checks in headless Chromium (Debian's package; never a downloaded browser) against a server of
# their own on a scratch database with the demo data (.ci/e2e): every role's home and the seed's stories,
# desktop and phone, failing on a failed request, a console error or an axe-core accessibility violation.
e2e: install
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk)
	.ci/e2e

bench: install
	$(PYTHON) bench/capability_match.py --lines $${LINES:-200000}

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles db.sqlite3
