# aftersales — the two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/aftersales
SQLITE_TEST_URL := sqlite:///$(CURDIR)/var/test.sqlite3
export DJANGO_SETTINGS_MODULE := aftersales.settings

.PHONY: venv run serve demo migrate system-deps test test-unit test-integration test-integration-pg test-e2e lint bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(BIN)/aftersales migrate --noinput

demo: migrate
	$(BIN)/aftersales demo

## make run: install, migrate the embedded SQLite database, load the demo shop, serve on :8000 — with the
## worker and the four platform simulators of the demo's connected stores (ports 8701–8704)
run: demo serve

## make serve: the web server, the background worker (deadlines, messages) and the platform simulators
## (SIMULATORS, empty for none) together; one Ctrl-C stops them all.
SIMULATORS ?= douyin:8701 taobao:8702 jd:8703 pdd:8704
serve:
	@trap 'kill 0' INT TERM EXIT; \
	for sim in $(SIMULATORS); do \
		$(BIN)/aftersales platform-sim $${sim%%:*} --port $${sim##*:} --cases 3 & \
	done; \
	$(BIN)/aftersales worker & \
	DEBUG=1 $(BIN)/aftersales runserver $(HOST):$(PORT)

lint: venv
	$(BIN)/ruff check .

test-unit: venv
	$(BIN)/pytest tests/unit

test-integration: venv
	DATABASE_URL=$(SQLITE_TEST_URL) $(BIN)/pytest tests/integration

# PostgreSQL is the production database: its tests run whenever a server answers, and CI demands one.
test-integration-pg: venv
	@if $(PY) tools/pg_ready.py "$(PG_TEST_URL)"; then \
		DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest tests/integration; \
	elif [ -n "$$AFTERSALES_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is required here (AFTERSALES_REQUIRE_POSTGRES) but does not answer"; exit 1; \
	else \
		echo "PostgreSQL does not answer: its integration run is skipped"; \
	fi

# Debian's Chromium, its driver, a CJK font and gettext: installed with apt-get when run as root,
# otherwise the run stops here and names the one command to run.
system-deps:
	tools/system-deps

test-e2e: venv system-deps
	$(BIN)/pytest tests/e2e

## make test: every test — lint, unit, integration on SQLite and PostgreSQL, end-to-end in Chromium
test: system-deps lint test-unit test-integration test-integration-pg test-e2e

bench: venv
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) bench/api_throughput.py
	$(PY) bench/pages.py
	$(PY) bench/sweep.py
	$(PY) bench/sync.py --cases 1000
	$(PY) bench/imports.py --rows 200000
	$(PY) bench/analytics.py --lines 1000000
	$(PY) bench/reasons.py
	$(PY) bench/advice.py

clean:
	rm -rf $(VENV) var build *.egg-info
