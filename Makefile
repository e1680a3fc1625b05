# The two commands are `make run` and `make test`; everything else supports them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=

.PHONY: help run serve test test-sqlite test-fast lint check-deploy system-deps-run system-deps-test keys migrate demo clean messages

help:
	@echo "make run          create .venv, install, migrate SQLite, load demo data, serve on 127.0.0.1:$(PORT)"
	@echo "make test         install test extras and system packages, run the whole suite on a throwaway PostgreSQL"
	@echo "make test-sqlite  the same suite on SQLite"
	@echo "make lint         ruff, manage.py check, migrations check, production deploy check"

$(VENV)/.python:
	@python_bin=$$(scripts/find-python.sh) && echo "Using $$python_bin" && "$$python_bin" -m venv $(VENV)
	@$(PIP) install -q --upgrade pip
	@touch $@

$(VENV)/.installed-run: $(VENV)/.python pyproject.toml constraints.txt
	$(PIP) install -q -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed-run
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	@touch $@

system-deps-run:
	@scripts/system-deps.sh run

system-deps-test:
	@scripts/system-deps.sh test

migrate: $(VENV)/.installed-run
	$(MANAGE) migrate --noinput
	$(MANAGE) createcachetable

keys: $(VENV)/.installed-run
	$(MANAGE) init_platform_keys

demo: migrate keys
	$(MANAGE) load_demo_data

run: system-deps-run demo
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# The suite on a real PostgreSQL server started for the run (browser tests included).
test: system-deps-test $(VENV)/.installed-test
	scripts/with-postgres.sh env EXPECT_DB_VENDOR=postgresql $(VENV)/bin/pytest $(PYTEST_ARGS)

test-sqlite: system-deps-test $(VENV)/.installed-test
	env -u DATABASE_URL EXPECT_DB_VENDOR=sqlite $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy

check-deploy: $(VENV)/.installed-run
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	  env SECRET_KEY="deploy-check-$$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" \
	      DATABASE_URL="sqlite:///$$tmp/deploy.sqlite3" ALLOWED_HOSTS=mzj.beijing.example \
	      PRIVATE_ROOT="$$tmp/private" \
	      $(MANAGE) check --deploy --fail-level WARNING --settings=config.settings.production

APP_DIRS := . core accounts cms payments marketplace/catalogue marketplace/orders orgs/registry orgs/reports orgs/credit orgs/charity

messages: $(VENV)/.installed-run
	@for dir in $(APP_DIRS); do [ -d $$dir ] && scripts/messages.sh $$dir; done

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
