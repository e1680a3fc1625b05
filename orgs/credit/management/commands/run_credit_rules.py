import datetime

from django.core.management.base import BaseCommand

from orgs.credit.services.rules import run_daily


class Command(BaseCommand):
    help = "计算信用规则建议（S5、S6）并刷新预警。Run the daily credit rules and refresh early warnings."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="以该日期（YYYY-MM-DD）计算，默认今天（Asia/Shanghai）。")

    def handle(self, *args, **options):
        today = datetime.date.fromisoformat(options["date"]) if options.get("date") else None
        rules, warnings = run_daily(today)
        self.stdout.write(f"{rules}; warnings {warnings}")
