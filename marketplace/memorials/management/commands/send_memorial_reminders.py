import datetime

from django.core.management.base import BaseCommand

from marketplace.memorials.services.reminders import send_anniversary_reminders


class Command(BaseCommand):
    help = "发送当天到期的纪念馆忌日短信提醒（可重复运行，不会重复发送）。Send the day's anniversary SMS reminders."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="以该日期（YYYY-MM-DD）为今天运行 / run as if today were this date"
        )

    def handle(self, *args, **options):
        today = datetime.date.fromisoformat(options["date"]) if options.get("date") else None
        self.stdout.write(f"anniversary reminders sent: {send_anniversary_reminders(today)}")
