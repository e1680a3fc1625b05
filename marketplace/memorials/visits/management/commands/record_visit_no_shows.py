from django.core.management.base import BaseCommand

from marketplace.memorials.visits.services import record_no_shows


class Command(BaseCommand):
    help = "记录场次已结束仍未入园的祭扫预约为未到场（M3）。Record no-shows of ended visit sessions."

    def handle(self, *args, **options):
        count = record_no_shows()
        self.stdout.write(self.style.SUCCESS(f"no-shows recorded: {count}"))
