"""F10 tamper evidence: recomputing every provider's price chain, checking it against the
published, signed heads (``marketplace.catalogue.anchoring``), and the early warning raised
while a chain or a heads record fails."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from ..models import ChainHeads, PriceVersion, Provider


@dataclass(frozen=True)
class ChainProblem:
    version_id: int | None
    provider_id: int | None
    sequence: int | None
    problem: (
        str  # hash, link, gap; against a published head: signature, record_link, head_missing, head_mismatch
    )
    day: datetime.date | None = None  # the published heads record concerned


def verify_chain(providers=None, *, check_heads=True):
    """Recompute every provider's chain; return a problem for every version that doesn't match,
    and (``check_heads``) for every published heads record that fails its signature or its
    link, and every published head no longer found at its position in its chain."""
    problems = []
    versions = PriceVersion.objects.order_by("provider_id", "sequence")
    if providers is not None:
        versions = versions.filter(provider__in=providers)
    last_provider, last_hash, last_sequence = None, "", 0
    for version in versions.iterator(chunk_size=2000):
        if version.provider_id != last_provider:
            last_provider, last_hash, last_sequence = version.provider_id, "", 0
        if version.compute_hash() != version.chain_hash:
            problems.append(ChainProblem(version.pk, version.provider_id, version.sequence, "hash"))
        elif version.previous_hash != last_hash:
            problems.append(ChainProblem(version.pk, version.provider_id, version.sequence, "link"))
        elif version.sequence != last_sequence + 1:
            problems.append(ChainProblem(version.pk, version.provider_id, version.sequence, "gap"))
        last_hash, last_sequence = version.chain_hash, version.sequence
    if check_heads:
        from ..anchoring import check_published_heads

        problems.extend(
            ChainProblem(None, head.provider_id, head.sequence, head.problem, head.day)
            for head in check_published_heads(providers)
        )
    return problems


def chain_warnings(today):
    """Warning source: a provider whose price chain fails verification (or contradicts a
    published head), and a published heads record that fails its signature or link."""
    from core.warnings import WarningSpec

    problems = verify_chain()
    if not problems:
        return
    deadline = today + datetime.timedelta(days=settings.F10_CHAIN_WARNING_DAYS)
    how = _(
        "以已公示的链头和备份核对该机构的价格历史，查明改动来源并恢复原始记录；"
        "运行 manage.py verify_price_chain 确认全部通过后预警自动解除。"
    )
    by_provider, by_day = {}, {}
    for problem in problems:
        if problem.provider_id is not None:
            by_provider.setdefault(problem.provider_id, []).append(problem)
        else:
            by_day.setdefault(problem.day, []).append(problem)
    for provider in Provider.objects.filter(pk__in=by_provider).order_by("pk"):
        found = by_provider[provider.pk]
        yield WarningSpec(
            subject=provider,
            subject_label=provider.name,
            reason=_("%(provider)s 的价格哈希链校验失败：%(problems)s")
            % {
                "provider": provider.name,
                "problems": "；".join(sorted({str(chain_problem_label(p)) for p in found})),
            },
            deadline=deadline,
            how_to_clear=how,
        )
    for record in ChainHeads.objects.filter(day__in=by_day):
        yield WarningSpec(
            subject=record,
            subject_label=_("%(day)s 价格链头公示记录") % {"day": record.day.isoformat()},
            reason="；".join(sorted({str(chain_problem_label(p)) for p in by_day[record.day]})),
            deadline=deadline,
            how_to_clear=how,
        )


def chain_problem_label(problem):
    return {
        "hash": _("哈希不符（内容被改动）"),
        "link": _("链接断开（上一条哈希不符）"),
        "gap": _("序号缺失"),
        "signature": _("链头公示记录的签名无效（记录被改动）"),
        "record_link": _("链头公示记录之间的链接断开"),
        "head_missing": _("已公示的链头在哈希链中不存在（历史被删改）"),
        "head_mismatch": _("哈希链与已公示的链头不符（历史被改写）"),
    }[problem.problem]
