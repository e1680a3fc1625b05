from django.core.management.base import BaseCommand

from marketplace.benefits.waivers import retry_all


class Command(BaseCommand):
    help = (
        "把仍在等待的惠民殡葬减免计入账单，并补办未完成的减免退款（B1，可重复运行）。"
        "Carry waiting benefit waivers onto their bills and settle waiver refunds still due (B1; safe to rerun)."
    )

    def handle(self, *args, **options):
        carried, refunds = retry_all()
        self.stdout.write(self.style.SUCCESS(f"waivers carried: {carried}; refunds made: {refunds}"))
