"""``manage.py regenerate_open_data [--key KEY] [--now]``: queue (or, with ``--now``, run here)
the regeneration of every stored open-data bulk file. Run it daily and after a deploy; requests
also queue a file that is out of date."""

from django.core.management.base import BaseCommand, CommandError

from core import opendata
from core.opendata_tasks import regenerate_dataset


class Command(BaseCommand):
    help = "Regenerate the stored open-data bulk files (queued for the task worker, or --now)."

    def add_arguments(self, parser):
        parser.add_argument("--key", action="append", help="only this data set (repeatable)")
        parser.add_argument("--now", action="store_true", help="build in this process instead of queueing")

    def handle(self, *args, key=None, now=False, **options):
        targets = [(k, fmt) for k, fmt in opendata.stored_keys() if not key or k in key]
        unknown = set(key or ()) - {k for k, _fmt in targets}
        if unknown:
            raise CommandError(f"unknown data set(s): {', '.join(sorted(unknown))}")
        for dataset_key, fmt in targets:
            if now:
                manifest = opendata.regenerate(dataset_key, fmt)
                self.stdout.write(f"{dataset_key}.{fmt}: {manifest['size']} bytes")
            else:
                regenerate_dataset.enqueue(dataset_key, fmt)
                self.stdout.write(f"{dataset_key}.{fmt}: queued")
