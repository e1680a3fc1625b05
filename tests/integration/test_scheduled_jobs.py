"""Scheduled jobs and queued tasks on several nodes (issue 22, part 3).

Every node may run the same crontab: ``run_scheduled`` claims the job's slot in the database
(``core.scheduling``), so the job runs once per cluster and slot. Queued tasks are taken by
``django_tasks_db``'s workers with ``SELECT … FOR UPDATE SKIP LOCKED``: two workers on two
processes run each of 100 tasks exactly once."""

import datetime
import io
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from core import scheduling
from core.models import ScheduledRun

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour, minute, second=0.0, day=0):
    base = timezone.localdate() + datetime.timedelta(days=day)
    whole = int(second)
    return datetime.datetime(
        base.year, base.month, base.day, hour, minute, whole, round((second - whole) * 1e6), tzinfo=SHANGHAI
    )


def test_a_slot_is_the_nearest_multiple_of_the_period_so_nodes_a_second_apart_agree():
    # A five-minute job started just before and just after 10:05 by two nodes: the same run.
    assert scheduling.slot_of("reconcile_payments", at(10, 4, 59.8)) == at(10, 5)
    assert scheduling.slot_of("reconcile_payments", at(10, 5, 0.3)) == at(10, 5)
    assert scheduling.slot_of("reconcile_payments", at(10, 9, 59.9)) == at(10, 10)
    # An hourly job at :15 is that hour's run; a daily job at 00:05, or at 23:59:59 the day
    # before, is the day's run.
    assert scheduling.slot_of("record_visit_no_shows", at(10, 15)) == at(10, 0)
    assert scheduling.slot_of("run_credit_rules", at(0, 5)) == at(0, 0)
    assert scheduling.slot_of("run_credit_rules", at(23, 59, 59, day=-1)) == at(0, 0)


def test_a_job_without_a_period_or_with_one_that_does_not_divide_a_day_is_refused(settings):
    with pytest.raises(LookupError):
        scheduling.slot_of("not_a_job")
    settings.SCHEDULED_JOB_PERIODS = {"odd": 7 * 60}
    with pytest.raises(ValueError, match="does not divide a day"):
        scheduling.slot_of("odd")


def _cron_period(minute, hour):
    if minute.startswith("*/"):
        return int(minute[2:]) * 60
    return 3600 if hour == "*" else 24 * 3600


def test_every_crontab_line_runs_a_scheduled_job_at_its_period_away_from_the_half_period():
    """The crontab and SCHEDULED_JOB_PERIODS agree: every job the crontab runs goes through
    ``run_scheduled``, at the period the settings give it, and starts far enough from the
    middle of its period that nodes with slightly different clocks name the same slot."""
    jobs = {}
    for line in (ROOT / "site" / "crontab").read_text(encoding="utf-8").splitlines():
        if "manage.py" not in line or line.startswith("#"):
            continue
        minute, hour = line.split()[:2]
        match = re.search(r"manage\.py run_scheduled (\w+)", line)
        assert match, f"a crontab job that every node would run: {line}"
        job = match.group(1)
        jobs[job] = _cron_period(minute, hour)
        offset = 0 if minute.startswith("*/") else int(minute) * 60 + (0 if hour == "*" else int(hour) * 3600)
        offset %= jobs[job]
        assert abs(offset - jobs[job] / 2) >= jobs[job] / 8, f"{job} starts near the middle of its period"
    assert jobs == settings.SCHEDULED_JOB_PERIODS


def test_the_first_node_to_claim_a_slot_runs_it_and_the_next_slot_is_free_again():
    first = scheduling.claim("reconcile_payments", at(10, 5, 0.2))
    assert first is not None and first.slot == at(10, 5)
    # Another node, a second earlier or later, and this node started again: the same slot.
    assert scheduling.claim("reconcile_payments", at(10, 4, 59.5)) is None
    assert scheduling.claim("reconcile_payments", at(10, 6)) is None
    # Another job in the same slot, and the same job's next slot, run.
    assert scheduling.claim("expire_slot_holds", at(10, 5)) is not None
    assert scheduling.claim("reconcile_payments", at(10, 10)) is not None
    assert ScheduledRun.objects.filter(job="reconcile_payments").count() == 2


def test_old_run_records_are_pruned_after_the_kept_days(settings):
    settings.SCHEDULED_RUNS_KEPT_DAYS = 2
    scheduling.claim("run_credit_rules", at(0, 5, day=-3))
    scheduling.claim("run_credit_rules", at(0, 5, day=-2))
    scheduling.claim("run_credit_rules", at(0, 5))
    assert list(ScheduledRun.objects.filter(job="run_credit_rules").values_list("slot", flat=True)) == [
        at(0, 0),
        at(0, 0, day=-2),
    ]


def test_run_scheduled_runs_the_job_once_per_slot_and_records_it(settings):
    settings.SCHEDULED_JOB_PERIODS = {**settings.SCHEDULED_JOB_PERIODS, "check": 300}
    first, second = io.StringIO(), io.StringIO()
    call_command("run_scheduled", "check", stdout=first)
    call_command("run_scheduled", "check", stdout=second)
    assert "System check identified no issues" in first.getvalue()
    assert "skipped" in second.getvalue() and "System check" not in second.getvalue()
    run = ScheduledRun.objects.get(job="check")
    assert run.finished_at is not None and run.error == ""


def test_a_failed_run_is_recorded_with_its_reason_and_the_error_reaches_cron(settings):
    settings.SCHEDULED_JOB_PERIODS = {**settings.SCHEDULED_JOB_PERIODS, "loaddata": 300}
    with pytest.raises(CommandError):
        call_command("run_scheduled", "loaddata", "no-such-fixture", stdout=io.StringIO())
    run = ScheduledRun.objects.get(job="loaddata")
    assert run.finished_at is not None and "no-such-fixture" in run.error


def _subprocess_env(**extra):
    if connection.vendor != "postgresql":
        pytest.skip("the test database of SQLite is in this process's memory")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environment.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings.dev", **extra)
    return environment


def _manage(*args, environment):
    return subprocess.Popen(  # noqa: S603 - this interpreter, manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_two_nodes_starting_the_same_job_at_once_run_it_once():
    environment = _subprocess_env()
    nodes = [
        _manage("run_scheduled", "purge_attempt_counters", environment={**environment, "NODE_NAME": name})
        for name in ("node-a", "node-b")
    ]
    outputs = [node.communicate(timeout=120) for node in nodes]
    assert [node.returncode for node in nodes] == [0, 0], outputs
    said = [out for out, _err in outputs]
    assert sum("ran the" in out for out in said) == 1, said
    assert sum("skipped" in out for out in said) == 1, said
    run = ScheduledRun.objects.get(job="purge_attempt_counters")
    assert run.node.split(":")[0] in {"node-a", "node-b"} and run.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_task_workers_run_each_of_100_queued_tasks_exactly_once(settings, tmp_path):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from tests.cluster_tasks import record_run

    environment = _subprocess_env()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    runs = tmp_path / "runs.txt"
    for number in range(100):
        record_run.enqueue(number, str(runs), 0.05)
    workers = [
        _manage(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--interval",
            "0.05",
            "--worker-id",
            name,
            environment=environment,
        )
        for name in ("worker-a", "worker-b")
    ]
    outputs = [worker.communicate(timeout=300) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert runs.exists(), list(DBTaskResult.objects.values_list("status", "traceback")[:1])  # no task ran
    lines = runs.read_text(encoding="utf-8").split()
    numbers = Counter(int(number) for number in lines[0::2])
    assert numbers == Counter(range(100)), "a task ran twice or never"
    assert len(set(lines[1::2])) == 2, "both workers took tasks"
    results = DBTaskResult.objects.all()
    assert results.count() == 100
    assert set(results.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    # Each task was taken by one worker, once (a second claim would add its worker's id).
    taken = Counter(tuple(ids) for ids in results.values_list("worker_ids", flat=True))
    assert set(taken) == {("worker-a",), ("worker-b",)}, taken
