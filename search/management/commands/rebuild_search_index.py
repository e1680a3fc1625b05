from django.core.management.base import BaseCommand, CommandError

from search import reindex
from search.index import rebuild
from search.models import ReindexRun


class Command(BaseCommand):
    help = (
        "重建站内搜索索引（可重复运行）。Index every public record again and drop the rest; idempotent. "
        "--background queues a resumable run for the task worker; --resume continues the latest unfinished one."
    )

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--background",
            action="store_true",
            help="Queue a reindex run in batches for the task worker (manage.py db_worker) and return.",
        )
        group.add_argument(
            "--resume",
            action="store_true",
            help="Continue the latest unfinished run from the last primary key it recorded per type.",
        )

    def handle(self, *args, background=False, resume=False, **options):
        if not background and not resume:
            total = rebuild(stdout=self.stdout)
            self.stdout.write(self.style.SUCCESS(f"search index: {total} entries"))
            return
        try:
            if background:
                run = reindex.start_run(origin=ReindexRun.Origin.COMMAND)
            else:
                run = reindex.latest_unfinished()
                if run is None:
                    raise CommandError("No unfinished reindex run to continue.")
                run = reindex.resume_run(run)
        except reindex.ReindexError as error:
            raise CommandError(error.message) from None
        run.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                f"search reindex run {run.pk}: {run.get_state_display()} "
                f"({run.batches} batches so far; watch it at /admin/search/reindex/)"
            )
        )
