from django.core.management.base import BaseCommand

from search.index import rebuild


class Command(BaseCommand):
    help = "重建站内搜索索引（可重复运行）。Index every public record again and drop the rest; idempotent."

    def handle(self, *args, **options):
        total = rebuild(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"search index: {total} entries"))
