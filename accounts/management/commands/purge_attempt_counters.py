from django.core.management.base import BaseCommand

from accounts.services import purge_stale_counters


class Command(BaseCommand):
    help = "Delete sign-in and SMS attempt counters that no window or delay needs any more."

    def handle(self, *args, **options):
        deleted = purge_stale_counters()
        self.stdout.write(f"{deleted} stale attempt counters deleted")
