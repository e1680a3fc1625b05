"""A task for the two-worker test (``tests/integration/test_scheduled_jobs.py``): it appends
its number and the worker's process id to a file, so the test can count how often each ran
and on which worker. Importable by a ``db_worker`` started from the repository root."""

import os
import time

from django.tasks import task


@task
def record_run(number, path, seconds):
    # Long enough that both workers take part. Not time.sleep: under `make test-future`
    # libfaketime shifts the absolute deadline Python's sleep waits for, and the sleep fails.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass
    with open(path, "a", encoding="utf-8") as runs:
        runs.write(f"{number} {os.getpid()}\n")
