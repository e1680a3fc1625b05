from django.core.management.base import BaseCommand

from orgs.licensing.services import issue_missing


class Command(BaseCommand):
    help = (
        "为尚无电子证照的社会组织发放首个电子证照（可重复运行）。"
        "Issue a first electronic licence to every organisation without one; safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="", help="the site's address, for the QR code (https://…)")
        parser.add_argument("--limit", type=int, default=None, help="issue at most this many")

    def handle(self, *args, base_url, limit, **options):
        issued = issue_missing(base_url=base_url.rstrip("/"), limit=limit)
        self.stdout.write(self.style.SUCCESS(f"issued {issued} licence(s)"))
