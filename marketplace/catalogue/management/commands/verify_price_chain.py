from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from marketplace.catalogue.anchoring import record_chain_problems
from marketplace.catalogue.models import Provider
from marketplace.catalogue.services.chain import chain_problem_label, verify_chain


class Command(BaseCommand):
    help = (
        "重新计算每家机构的价格哈希链，并与每一份已公示的链头比对，列出所有校验失败之处。"
        "Recompute every price chain and check it against every published head (F10)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--provider", help="只校验该网址标识的机构 (a provider slug)")

    def handle(self, *args, **options):
        providers = None
        if options.get("provider"):
            providers = Provider.objects.filter(slug=options["provider"])
            if not providers.exists():
                raise CommandError(_("没有网址标识为 %(slug)s 的机构。") % {"slug": options["provider"]})
        problems = verify_chain(providers)
        names = dict(
            Provider.objects.filter(pk__in={p.provider_id for p in problems if p.provider_id}).values_list(
                "pk", "slug"
            )
        )
        for problem in problems:
            if problem.version_id is not None:
                line = _("价格版本 #%(id)s（机构 %(provider)s，序号 %(seq)s）：%(problem)s")
            elif problem.provider_id is not None:
                line = _("机构 %(provider)s 序号 %(seq)s，%(day)s 公示的链头：%(problem)s")
            else:
                line = _("%(day)s 的链头公示记录：%(problem)s")
            self.stdout.write(
                line
                % {
                    "id": problem.version_id,
                    "provider": names.get(problem.provider_id, problem.provider_id),
                    "seq": problem.sequence,
                    "day": problem.day.isoformat() if problem.day else "",
                    "problem": chain_problem_label(problem),
                }
            )
        if problems:
            record_chain_problems(problems, source="verify_price_chain")
            raise CommandError(_("%(n)s 处价格哈希链校验失败。") % {"n": len(problems)})
        self.stdout.write(self.style.SUCCESS(_("所有价格哈希链校验通过，且与已公示的链头一致。")))
