"""Scheduled jobs run once per cluster, not once per node (issue 22).

Every web or worker node may carry the same crontab (``site/crontab``): each line runs
``manage.py run_scheduled <job>``. The first node to insert the job's row for the current
*slot* (``ScheduledRun``, unique on job and slot) runs the job; every other node finds the row
there and skips. The database decides, so it holds on PostgreSQL (a concurrent insert waits
for the first and then fails on the unique constraint) and on SQLite alike, and a node that
starts late, after the first has finished, skips as well.

A slot is the time the job was scheduled for: the current time in Asia/Shanghai rounded to
the *nearest* multiple of the job's period (``SCHEDULED_JOB_PERIODS``), counted from
midnight. Cron starts a job at its minute on every node, so nodes whose clocks differ by less
than half a period name the same slot, even across the boundary itself (a five-minute job
started at 10:04:59.8 by one node and 10:05:00.3 by another is the 10:05 run of both). A job
must therefore start at least an eighth of its period away from the middle of it (not between
for a daily job, no later than 09:00 and no earlier than 15:00; a test checks the crontab), which also absorbs the seconds a
node takes to start the command.
"""

import datetime
import logging
import os
import socket

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ScheduledRun

logger = logging.getLogger(__name__)
DAY = 24 * 60 * 60


def period_of(job):
    """The job's period in seconds (``SCHEDULED_JOB_PERIODS``); a period divides a day."""
    try:
        period = int(settings.SCHEDULED_JOB_PERIODS[job])
    except KeyError:
        raise LookupError(f"{job} is not a scheduled job (SCHEDULED_JOB_PERIODS)") from None
    if period <= 0 or DAY % period:
        raise ValueError(f"{job}: a period of {period} s does not divide a day")
    return period


def slot_of(job, now=None):
    """The slot a run of ``job`` started at ``now`` belongs to: the nearest multiple of its
    period after midnight, Asia/Shanghai."""
    period = period_of(job)
    local = timezone.localtime(now or timezone.now())
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    seconds = (local - midnight).total_seconds()
    return midnight + datetime.timedelta(seconds=round(seconds / period) * period)


def node_name():
    """This process's name in the run records: ``NODE_NAME`` (set per node), else the host
    name, with the process id."""
    return f"{settings.NODE_NAME or socket.gethostname()}:{os.getpid()}"[:120]


def claim(job, now=None):
    """The run of ``job`` for the current slot, claimed by this node; ``None`` when another
    node (or an earlier start on this one) already claimed that slot."""
    now = now or timezone.now()
    slot = slot_of(job, now)
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job, slot=slot, node=node_name(), started_at=now)
    except IntegrityError:
        return None
    kept = datetime.timedelta(days=settings.SCHEDULED_RUNS_KEPT_DAYS)
    ScheduledRun.objects.filter(job=job, slot__lt=slot - kept).delete()
    return run


def finish(run, error=""):
    """Record the end of ``run``, and why it failed if it did."""
    run.finished_at = timezone.now()
    run.error = error
    run.save(update_fields=["finished_at", "error"])
    if error:
        logger.error("scheduled job %s (slot %s) failed on %s: %s", run.job, run.slot, run.node, error)
