# The two commands are `make run` and `make test`; everything else supports them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
# Exported so the development settings derive the payment return and notify URLs from it.
export PORT
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=
# The suite runs in one pytest-xdist worker per CPU, each with its own test database (and
# live server and Chromium for the browser tests); WORKERS=0 runs it in this one process.
WORKERS ?= $(shell nproc 2>/dev/null || echo 1)
XDIST := -n $(WORKERS)

.PHONY: help run serve test test-sqlite test-fast test-future test-random lint check-deploy system-deps-run system-deps-test keys migrate demo clean messages mutation

help:
	@echo "make run          create .venv, install, migrate SQLite, load demo data, serve on 127.0.0.1:$(PORT)"
	@echo "make test         install test extras and system packages, run the whole suite on a throwaway PostgreSQL"
	@echo "make test-sqlite  the same suite on SQLite"
	@echo "make test-future  unit and integration tests with the clock moved +7 and +13 months (libfaketime)"
	@echo "make test-random  unit tests in a random order (pytest-randomly; the seed is printed)"
	@echo "make lint         ruff, manage.py check, migrations check, production deploy check"
	@echo "make mutation     mutation score of the rule modules (mutmut; slow, not in CI); MUTATE=path/to/module.py for one"

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
	$(MANAGE) regenerate_open_data --now

# The task worker (django_tasks_db: payment notifications, the credit job, search reindexing)
# runs beside the development server and stops with it.
run: system-deps-run demo
	$(MANAGE) db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# The suite on a real PostgreSQL server started for the run (browser tests included).
test: system-deps-test $(VENV)/.installed-test
	scripts/with-postgres.sh env EXPECT_DB_VENDOR=postgresql $(VENV)/bin/pytest $(XDIST) $(PYTEST_ARGS)

test-sqlite: system-deps-test $(VENV)/.installed-test
	env -u DATABASE_URL EXPECT_DB_VENDOR=sqlite $(VENV)/bin/pytest $(XDIST) $(PYTEST_ARGS)

# The suite with the clock moved forward, so a test or demo date that ages fails today
# rather than on some future morning. libfaketime (LD_PRELOAD) offsets the clock of every
# process started under it: pytest, and the throwaway PostgreSQL server, so now() and
# CURRENT_DATE move too (freezegun would only move Python's clock, and stop it). The
# monotonic clock stays real: Python turns a timed wait (Event.wait, Lock.acquire with a
# timeout) into an absolute monotonic deadline that the kernel reads unfaked, so a faked
# monotonic clock makes every such wait last the offset (214 days).
FUTURE_OFFSETS ?= +214d +396d
FUTURE_TESTS ?= tests/unit tests/integration

test-future: system-deps-test $(VENV)/.installed-test
	@lib=$$(ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 2>/dev/null | head -1); \
	[ -n "$$lib" ] || { echo "error: libfaketime not found (scripts/system-deps.sh test installs it)" >&2; exit 1; }; \
	for offset in $(FUTURE_OFFSETS); do \
	  echo "== $(FUTURE_TESTS) with the clock moved $$offset"; \
	  env LD_PRELOAD="$$lib" FAKETIME="$$offset" DONT_FAKE_MONOTONIC=1 \
	    scripts/with-postgres.sh env EXPECT_DB_VENDOR=postgresql \
	    $(VENV)/bin/pytest $(FUTURE_TESTS) -p no:cacheprovider $(XDIST) $(PYTEST_ARGS) || exit 1; \
	done

# Order independence: the unit tests in a random order. pytest-randomly prints the seed;
# replay a failing order with `make test-random PYTEST_ARGS=--randomly-seed=N`.
RANDOM_TESTS ?= tests/unit

test-random: system-deps-test $(VENV)/.installed-test
	scripts/with-postgres.sh env EXPECT_DB_VENDOR=postgresql \
	  $(VENV)/bin/pytest $(RANDOM_TESTS) -p randomly -p no:cacheprovider $(PYTEST_ARGS)

# Mutation testing of the rule modules (mutmut 3; [tool.mutmut] in pyproject.toml lists them).
# Too slow for CI: run it before resolving an issue that touches a rule, and record the score
# in docs/testing.md. `make mutation MUTATE=orgs/registry/uscc.py` (a module, or a package
# such as orgs/credit/services) tests that module's mutants only. MUTATION_CHILDREN (1) mutants
# at a time, on SQLite (each test database a file kept between mutants: mutation/pytest_plugin.py),
# niced so that it yields to interactive work. mutmut keeps its copy and results in mutants/:
# a later run retests only what changed; `rm -rf mutants` starts afresh.
MUTATE ?=
# Mutants run at once (each in its own test database); 2 uses both cores of a quiet machine.
MUTATION_CHILDREN ?= 1
MUTANT_GLOB = $(if $(MUTATE),'$(subst /,.,$(patsubst %/,%,$(MUTATE:.py=))).*')

mutation: $(VENV)/.installed-test
	env -u DATABASE_URL EXPECT_DB_VENDOR=sqlite nice -n 10 $(VENV)/bin/mutmut run --max-children $(MUTATION_CHILDREN) $(MUTANT_GLOB)
	$(VENV)/bin/mutmut results

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run
	$(PY) scripts/check_rules_map.py
	$(PY) scripts/check_imports.py
	$(MAKE) --no-print-directory check-deploy

check-deploy: $(VENV)/.installed-run
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	  env SECRET_KEY="deploy-check-$$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" \
	      DATABASE_URL="sqlite:///$$tmp/deploy.sqlite3" ALLOWED_HOSTS=mzj.beijing.example \
	      PRIVATE_ROOT="$$tmp/private" SMS_BACKEND=accounts.sms.backends.ConsoleSmsBackend \
	      S3_BUCKET=deploy-check S3_ENDPOINT_URL=https://s3.mzj.beijing.example \
	      $(MANAGE) check --deploy --fail-level WARNING --settings=config.settings.production

APP_DIRS := . core accounts cms payments search api marketplace/catalogue marketplace/orders marketplace/orders/slots marketplace/feedback marketplace/memorials marketplace/memorials/visits marketplace/benefits marketplace/benefits/checklist orgs/registry orgs/reports orgs/credit orgs/charity orgs/incubator orgs/licensing

messages: $(VENV)/.installed-run
	@for dir in $(APP_DIRS); do [ -d $$dir ] && scripts/messages.sh $$dir; done

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
