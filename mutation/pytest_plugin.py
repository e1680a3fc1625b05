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
tests/conftest.py), so one mutant's tests leave nothing for the next. Each file has one
writer: a session locks the first free one (`_claim_database_file`), so `--max-children`
above 1 gives each running mutant its own database.

On PostgreSQL (`DATABASE_URL` set) nothing changes: `--reuse-db` keeps pytest-django's
`test_<name>` database between sessions in the same way.

Every session also starts with the platform's keys in place, as a deployment does after
`manage.py init_platform_keys`: mutmut runs a handful of tests at a time, and a test that
reads the seal's root certificate before any other test has sealed a PDF would otherwise
fail for want of it (tests/integration/test_sweep_seals.py::
test_a_seal_by_a_foreign_signer_is_not_trusted fails on its own for that reason).
"""

import fcntl
import os
from pathlib import Path

TEST_DATABASE_FILE = "mutation-test.sqlite3"
# Enough slots for mutmut's --max-children on this kind of machine.
DATABASE_SLOTS = int(os.environ.get("MUTATION_DATABASE_SLOTS", "8"))
_claimed = []


def _claim_database_file(directory):
    """The first test database file no other running session holds, locked for this session.

    With ``--max-children`` above 1, mutmut runs several mutants at once, and two sessions
    writing one SQLite file would fail each other's tests (false kills). Each session takes
    its own file: ``mutation-test.sqlite3``, then ``mutation-test-1.sqlite3`` … The lock is an
    ``flock`` on a newly opened file, so a forked child never shares its parent's lock, and it
    is released when the session ends (or the process dies)."""
    for slot in range(DATABASE_SLOTS):
        name = TEST_DATABASE_FILE if slot == 0 else TEST_DATABASE_FILE.replace(".sqlite3", f"-{slot}.sqlite3")
        lock = open(directory / f"{name}.lock", "w")  # noqa: SIM115 - held for the session
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        _claimed.append(lock)
        return directory / name
    raise RuntimeError(f"all {DATABASE_SLOTS} mutation test databases are in use (MUTATION_DATABASE_SLOTS)")


def pytest_configure(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # The same dict Django's connection handler holds, so a forked worker whose
        # connection settings were read in the parent process sees the change too.
        database.setdefault("TEST", {})["NAME"] = str(_claim_database_file(Path.cwd()))


def pytest_unconfigure(config):
    while _claimed:
        _claimed.pop().close()


def pytest_sessionstart(session):
    from core.keys import initializers

    for _name, initializer in sorted(initializers().items()):
        initializer()
