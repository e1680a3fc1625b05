from django.core.management.base import BaseCommand

from core.keys import initializers


class Command(BaseCommand):
    help = "生成平台自用密钥（不存在时）。Create the platform's keys and certificates where they are missing."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="replace existing keys")

    def handle(self, *args, force=False, **options):
        for name, initializer in sorted(initializers().items()):
            self.stdout.write(f"{name}: {initializer(force=force)}")
