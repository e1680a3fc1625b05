from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from marketplace.catalogue.models import Provider
from marketplace.catalogue.services import verify_chain


class Command(BaseCommand):
    help = "重新计算每家机构的价格哈希链，列出所有校验失败的价格版本。Recompute every price chain (F10)."

    def add_arguments(self, parser):
        parser.add_argument("--provider", help="只校验该网址标识的机构 (a provider slug)")

    def handle(self, *args, **options):
        providers = None
        if options.get("provider"):
            providers = Provider.objects.filter(slug=options["provider"])
            if not providers.exists():
                raise CommandError(_("没有网址标识为 %(slug)s 的机构。") % {"slug": options["provider"]})
        problems = verify_chain(providers)
        labels = {
            "hash": _("哈希不符（内容被改动）"),
            "link": _("链接断开（上一条哈希不符）"),
            "gap": _("序号缺失"),
        }
        for problem in problems:
            self.stdout.write(
                _("价格版本 #%(id)s（机构 %(provider)s，序号 %(seq)s）：%(problem)s")
                % {
                    "id": problem.version_id,
                    "provider": problem.provider_id,
                    "seq": problem.sequence,
                    "problem": labels[problem.problem],
                }
            )
        if problems:
            raise CommandError(_("%(n)s 个价格版本校验失败。") % {"n": len(problems)})
        self.stdout.write(self.style.SUCCESS(_("所有价格哈希链校验通过。")))
