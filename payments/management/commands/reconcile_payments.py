from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from payments.services.reconciliation import run_reconciliation


class Command(BaseCommand):
    help = (
        "对账：向支付渠道查询超时仍在支付中的支付单并结清，关闭已过期的支付单；对账报告保存在后台“对账”。"
        " Query processing intents older than --minutes, settle them, close expired ones; the report is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=settings.PAYMENTS_RECONCILE_AFTER_MINUTES,
            help="only intents processing for at least this many minutes",
        )

    def handle(self, *args, minutes, **options):
        run, summary = run_reconciliation(older_than=timedelta(minutes=minutes), trigger="task")
        self.stdout.write(
            f"checked={summary.checked} succeeded={summary.succeeded} closed={summary.closed} "
            f"expired={summary.expired} still_processing={summary.still_processing} errors={len(summary.errors)} "
            f"matched={run.matched} fixed={run.fixed} attention={run.attention} run={run.pk}"
        )
        for error in summary.errors:
            self.stderr.write(f"error: {error}")
