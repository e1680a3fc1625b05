"""pytest plugin that mutmut loads for every run it makes (`-p mutation.pytest_plugin`).

mutmut 3 runs pytest once to record which tests reach which function, then forks one
process per mutant and runs, in it, only the tests that reach the mutated function. Each of
those runs is a new pytest session, so pytest-django would build the test database for
every mutant: on SQLite the test database is in memory by default and dies with the
process, and running every migration again costs far more than the tests themselves.

So, on SQLite, the test database becomes a file inside mutmut's copy of the project
(`mutants/mutation-test.sqlite3`) and mutmut passes `--reuse-db`: the first session
migrates it, every later one finds it migrated and starts at once. Tests roll back (or,
for transactional tests, flush and re-seed their reference data through the fixtures in
tests/conftest.py), so one mutant's tests leave nothing for the next. mutmut runs one
mutant at a time (`--max-children 1` in the Makefile), so the file has one writer.

On PostgreSQL (`DATABASE_URL` set) nothing changes: `--reuse-db` keeps pytest-django's
`test_<name>` database between sessions in the same way.

Every session also starts with the platform's keys in place, as a deployment does after
`manage.py init_platform_keys`: mutmut runs a handful of tests at a time, and a test that
reads the seal's root certificate before any other test has sealed a PDF would otherwise
fail for want of it (tests/integration/test_sweep_seals.py::
test_a_seal_by_a_foreign_signer_is_not_trusted fails on its own for that reason).
"""

from pathlib import Path

TEST_DATABASE_FILE = "mutation-test.sqlite3"


def pytest_configure(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # The same dict Django's connection handler holds, so a forked worker whose
        # connection settings were read in the parent process sees the change too.
        database.setdefault("TEST", {})["NAME"] = str(Path.cwd() / TEST_DATABASE_FILE)


def pytest_sessionstart(session):
    from core.keys import initializers

    for _name, initializer in sorted(initializers().items()):
        initializer()
