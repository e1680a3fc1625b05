from django.core.management.base import BaseCommand

from marketplace.orders.slots.services import expire_holds


class Command(BaseCommand):
    help = "将超时未下单的档期暂留标记为已过期（F11）。Mark lapsed service-slot holds as expired."

    def handle(self, *args, **options):
        count = expire_holds()
        self.stdout.write(self.style.SUCCESS(f"holds expired: {count}"))
