# Two commands: `make run` (set up everything, load the demo once, serve on 127.0.0.1:8000)
# and `make test` (set up the same way, run the whole suite, browser tests included).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := thiduakhenthuong.settings

.PHONY: run test lint format demo bench setup sysdeps clean messages serve smoke

setup: sysdeps $(VENV)/.installed

sysdeps:
	@bash scripts/sysdeps.sh

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --if-empty
	DEBUG=1 HOST=$(HOST) PORT=$(PORT) $(PY) scripts/serve.py --dev

demo: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo

test: setup
	SECRET_KEY=test-only DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest $(PYTEST_ARGS)

# Production: gunicorn, DEBUG off, static files by whitenoise, PostgreSQL from DATABASE_URL, secrets
# from the environment (.env.example lists them). WEB_CONCURRENCY workers (default 2), and beside
# them the task worker that prints large documents (TASK_WORKERS, default 1): scripts/serve.py
# starts both and stops both.
serve: setup
	@test -n "$$SECRET_KEY" || { echo "SECRET_KEY must be set (see .env.example)"; exit 1; }
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL must be set: production runs on PostgreSQL"; exit 1; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --noinput -v0
	HOST=$(HOST) PORT=$(PORT) $(PY) scripts/serve.py

# The production run, smoke-tested (CI): gunicorn with DEBUG off against DATABASE_URL.
smoke: setup
	$(PY) scripts/smoke_production.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Our Vietnamese for Django's stock messages; the .mo is committed, so only editors of the .po need gettext.
messages:
	msgfmt --check -o locale/vi/LC_MESSAGES/django.mo locale/vi/LC_MESSAGES/django.po

# Benchmarks (not part of `make test`; figures and how to read them in bench/README.md). On
# PostgreSQL (DATABASE_URL=postgres://…/tdkt_bench) every bench runs, each size of the generated
# province in its own database next to it (…/tdkt_bench_34x15x60, built once by
# bench/province.py); without it only the document benches run, on SQLite files in var/bench.
# BENCH_ARGS=--quick gives the short versions.
bench: setup
	$(PY) -m pip install --quiet -r requirements-bench.txt
	$(PY) bench/render_plan.py $(BENCH_ARGS)
	$(PY) bench/ranking_pdf.py $(BENCH_ARGS)
	$(PY) bench/ranking_queue.py $(if $(findstring --quick,$(BENCH_ARGS)),-n 1,)
	@if [[ "$$DATABASE_URL" == postgres* ]]; then \
	  set -e; \
	  $(PY) bench/pages.py $(BENCH_ARGS); \
	  $(PY) bench/province_ranking.py $(BENCH_ARGS); \
	  $(PY) bench/concurrency.py $(BENCH_ARGS); \
	  $(PY) bench/load.py $(BENCH_ARGS); \
	else echo "pages, province_ranking, concurrency and load skipped: set DATABASE_URL=postgres://…"; fi

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
