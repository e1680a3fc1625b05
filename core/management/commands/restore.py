from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "从 manage.py backup 生成的目录恢复：先核对清单哈希，恢复后核对每张表的行数。"
        "Restore a backup made by manage.py backup into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="备份目录 (the backup directory)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名 (database alias)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="覆盖非空的数据库与已有文件 (replace a non-empty database and existing files)",
        )

    def handle(self, *args, input, database, force, **options):  # noqa: A002 - the option's name
        try:
            result = restore(input, alias=database, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("恢复完成：%(tables)s 张表、%(rows)s 行与清单一致，恢复了 %(files)s 个文件。")
                % {"tables": result.tables, "rows": result.rows, "files": result.files}
            )
        )
        if result.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    _("备份早于当前代码，还有 %(n)s 个迁移未执行：请运行 manage.py migrate。")
                    % {"n": len(result.pending_migrations)}
                )
            )
