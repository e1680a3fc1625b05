from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from marketplace.catalogue.anchoring import publish_chain_heads


class Command(BaseCommand):
    help = (
        "公示当日各机构价格哈希链的链头（经平台印章密钥签名），每天一份，重复运行不会重复公示。"
        "Publish today's signed price-chain heads (F10); idempotent per day."
    )

    def handle(self, *args, **options):
        record, created = publish_chain_heads()
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    _("已公示 %(day)s 的链头：%(n)s 条哈希链，内容 SHA-256 %(sha)s。")
                    % {"day": record.day.isoformat(), "n": record.chain_count, "sha": record.payload_sha256}
                )
            )
        else:
            self.stdout.write(_("%(day)s 的链头此前已公示，未重复公示。") % {"day": record.day.isoformat()})
