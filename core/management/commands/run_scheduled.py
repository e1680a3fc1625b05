"""``manage.py run_scheduled <job> [options of the job]``: run a scheduled job once per
cluster (``core.scheduling``). Every node's crontab calls this; the node that claims the
slot runs the job's own command, every other node skips it."""

import argparse
import traceback

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from core import scheduling


class Command(BaseCommand):
    help = "Run a scheduled job (SCHEDULED_JOB_PERIODS) unless another node already ran this slot."

    def add_arguments(self, parser):
        parser.add_argument("job", choices=sorted(settings.SCHEDULED_JOB_PERIODS))
        parser.add_argument("job_args", nargs=argparse.REMAINDER, help="passed to the job's command")

    def handle(self, *args, job, job_args, **options):
        run = scheduling.claim(job)
        if run is None:
            slot = scheduling.slot_of(job)
            self.stdout.write(f"{job}: the run for {slot:%Y-%m-%d %H:%M} is another node's; skipped")
            return
        try:
            call_command(job, *job_args, stdout=self.stdout, stderr=self.stderr)
        except BaseException as exc:
            scheduling.finish(run, error="".join(traceback.format_exception_only(exc)).strip()[:2000])
            raise
        scheduling.finish(run)
        self.stdout.write(f"{job}: ran the {run.slot:%Y-%m-%d %H:%M} run on {run.node}")
