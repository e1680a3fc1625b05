from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "加载示例数据（可重复运行，不会重复创建）。Load the demo data; safe to run twice."

    def handle(self, *args, **options):
        from core.demo import loading
        from search.index import paused, rebuild

        # Index once at the end rather than record by record while loading.
        with paused(), loading():
            for app in settings.PROJECT_APPS:
                module_name = f"{app}.demo"
                if app == "core" or find_spec(module_name) is None:
                    continue
                module = import_module(module_name)
                with transaction.atomic():
                    module.load(self.stdout)
                self.stdout.write(self.style.SUCCESS(f"demo data: {app} ready"))
        self.stdout.write(self.style.SUCCESS(f"demo data: search index ready ({rebuild()} entries)"))
