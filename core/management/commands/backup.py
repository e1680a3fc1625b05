from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "备份数据库、媒体与私有文件、平台密钥到一个新目录，并写出带 SHA-256 的清单。"
        "Back up the database, the media and private files and the platform keys."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", required=True, help="新的（或空的）备份目录 (a new or empty directory)"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名 (database alias)")

    def handle(self, *args, output, database, **options):
        try:
            manifest = backup(output, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                _("备份完成：%(path)s（%(tables)s 张表，%(rows)s 行）。")
                % {"path": output, "tables": len(manifest["tables"]), "rows": rows}
            )
        )
