"""I1: eligibility is computed, not judged by eye.

:func:`evaluate` checks a programme's criteria (:class:`orgs.incubator.models.Criteria`)
against what the platform already knows about an organisation, and returns one
:class:`CriterionResult` per criterion: what is required, whether it passed, the fact it read,
that fact's source and date, and how to fix a failure. The facts come from the registry and
from the public service functions of reports and credit; they are read once per evaluation
(:class:`Facts`: four queries, whatever the number of criteria).

A result is stored with an application as plain JSON (:meth:`CriterionResult.as_dict`), so the
reviewer can compare the eligibility at submission with the eligibility now
(:func:`changes`).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.dates import add_months
from orgs.credit.models import Grade, ListType
from orgs.credit.services import current_entries, current_rating, latest_due_report_year
from orgs.registry.models import District, OrgStatus, OrgType, ServiceField
from orgs.reports.models import Conclusion, ReportStatus
from orgs.reports.services import c3_for, reports_by_year

REGISTRY = "registry"
REPORTS = "reports"
CREDIT = "credit"
FOUNDING = "founding"
SOURCES = {
    REGISTRY: lambda: _("社会组织登记信息"),
    REPORTS: lambda: _("年度报告审核结果"),
    CREDIT: lambda: _("社会组织信用信息"),
    FOUNDING: lambda: _("申请人填报的筹备信息"),
}
# Conclusions that count as a passed annual inspection (年检合格).
PASSING_CONCLUSIONS = (Conclusion.QUALIFIED, Conclusion.BASICALLY_QUALIFIED)


@dataclass(frozen=True)
class CriterionResult:
    code: str
    requirement: str
    passed: bool
    fact: str
    source: str
    as_of: str  # ISO date: when the fact was true (a decision's date, or the day of the check)
    fix: str = ""

    def as_dict(self):
        return asdict(self)

    @property
    def source_label(self):
        return SOURCES[self.source]()


@dataclass
class Eligibility:
    results: list[CriterionResult]
    checked_on: datetime.date

    @property
    def eligible(self):
        return all(result.passed for result in self.results)

    @property
    def failures(self):
        return [result for result in self.results if not result.passed]

    def as_json(self):
        return [result.as_dict() for result in self.results]


@dataclass
class Facts:
    """What the checks read about one organisation, loaded once."""

    organization: object
    today: datetime.date
    listings: dict = field(default_factory=dict)  # list type -> current entries
    reports: dict = field(default_factory=dict)  # year -> AnnualReport
    rating: object = None
    _c3: dict = field(default_factory=dict)

    def c3_checks(self, report):
        """C3 of ``report``, computed once per evaluation however many criteria ask."""
        if report.year not in self._c3:
            self._c3[report.year] = c3_for(report)
        return self._c3[report.year]

    def latest_accepted(self):
        """The most recent accepted annual report, or None."""
        accepted = [r for r in self.reports.values() if r.status == ReportStatus.ACCEPTED]
        return max(accepted, key=lambda r: r.year, default=None)

    @classmethod
    def load(cls, organization, today):
        listings = {}
        for entry in current_entries(organization).order_by("listed_on", "pk"):
            listings.setdefault(entry.list_type, []).append(entry)
        return cls(
            organization=organization,
            today=today,
            listings=listings,
            reports=reports_by_year(organization),
            rating=current_rating(organization, today),
        )


def _labels(choices, values):
    return _("、").join(str(choices(value).label) for value in values)


def months_text(months):
    if months % 12 == 0:
        return ngettext("%(n)d 年", "%(n)d 年", months // 12) % {"n": months // 12}
    return ngettext("%(n)d 个月", "%(n)d 个月", months) % {"n": months}


def _result(code, requirement, passed, fact, source, as_of, fix=""):
    return CriterionResult(
        code=code,
        requirement=str(requirement),
        passed=bool(passed),
        fact=str(fact),
        source=source,
        as_of=as_of.isoformat(),
        fix=str(fix) if not passed else "",
    )


def _registered_on(facts):
    return facts.organization.registered_on


def check_status(criteria, facts):
    organization = facts.organization
    return _result(
        "status",
        _("登记状态正常"),
        organization.status == OrgStatus.NORMAL,
        _("登记状态：%(status)s") % {"status": organization.get_status_display()},
        REGISTRY,
        facts.today,
        _("已注销或被撤销登记的组织不能申请。"),
    )


def check_org_type(criteria, facts):
    organization = facts.organization
    return _result(
        "org_type",
        _("组织类型为%(types)s") % {"types": _labels(OrgType, criteria.org_types)},
        organization.org_type in criteria.org_types,
        _("组织类型：%(type)s") % {"type": organization.get_org_type_display()},
        REGISTRY,
        facts.today,
        _("本项目不面向该类型的组织，请选择其他项目。"),
    )


def check_district(criteria, facts):
    organization = facts.organization
    return _result(
        "district",
        _("住所位于%(districts)s") % {"districts": _labels(District, criteria.districts)},
        organization.district in criteria.districts,
        _("所在区：%(district)s") % {"district": organization.get_district_display()},
        REGISTRY,
        facts.today,
        _("住所以登记为准；迁入本区须先办理住所变更登记。"),
    )


def check_service_field(criteria, facts):
    organization = facts.organization
    current = organization.get_service_field_display() if organization.service_field else _("未归类")
    return _result(
        "service_field",
        _("服务领域为%(fields)s") % {"fields": _labels(ServiceField, criteria.service_fields)},
        organization.service_field in criteria.service_fields,
        _("服务领域：%(field)s") % {"field": current},
        REGISTRY,
        facts.today,
        _("服务领域由登记管理机关依业务范围归类；如归类有误，请联系登记管理机关更正。"),
    )


def _age_fact(facts):
    registered_on = _registered_on(facts)
    return _("成立登记日期：%(date)s") % {"date": registered_on.isoformat()}


def check_min_age(criteria, facts):
    months = criteria.min_months_registered
    eligible_from = add_months(_registered_on(facts), months)
    return _result(
        "min_age",
        _("成立满%(age)s") % {"age": months_text(months)},
        eligible_from <= facts.today,
        _age_fact(facts),
        REGISTRY,
        facts.today,
        _("%(date)s 起成立满%(age)s，届时可申请。")
        % {"date": eligible_from.isoformat(), "age": months_text(months)},
    )


def check_max_age(criteria, facts):
    months = criteria.max_months_registered
    last_day = add_months(_registered_on(facts), months)
    return _result(
        "max_age",
        _("成立不超过%(age)s") % {"age": months_text(months)},
        facts.today <= last_day,
        _age_fact(facts),
        REGISTRY,
        facts.today,
        _("本项目面向成立不久的组织，请选择面向成熟组织的项目。"),
    )


def _listing_check(code, list_type, requirement, fix, facts):
    entries = facts.listings.get(list_type, [])
    if not entries:
        return _result(
            code,
            requirement,
            True,
            _("未被列入%(list)s") % {"list": ListType(list_type).label},
            CREDIT,
            facts.today,
        )
    entry = entries[0]
    return _result(
        code,
        requirement,
        False,
        _("自%(date)s起被列入%(list)s（%(reason)s）")
        % {
            "date": entry.listed_on.isoformat(),
            "list": entry.get_list_type_display(),
            "reason": entry.get_reason_display(),
        },
        CREDIT,
        entry.listed_on,
        fix,
    )


def check_abnormal(criteria, facts):
    return _listing_check(
        "no_abnormal",
        ListType.ABNORMAL,
        _("未被列入活动异常名录"),
        _("完成整改后申请移出活动异常名录（移出后即可申请）。"),
        facts,
    )


def check_serious(criteria, facts):
    return _listing_check(
        "no_serious",
        ListType.SERIOUS,
        _("未被列入严重违法失信名单"),
        _("列入严重违法失信名单期间不能申请；满足移出条件后申请移出。"),
        facts,
    )


def required_report_years(criteria, facts):
    """The ``accepted_report_years`` most recent report years: ending at last year when its
    report is already accepted, otherwise at the latest year whose report is due (S2)."""
    last_year = facts.today.year - 1
    latest = facts.reports.get(last_year)
    if latest is None or latest.status != ReportStatus.ACCEPTED:
        due = latest_due_report_year(facts.organization, facts.today)
        last_year = due if due is not None else last_year
    return list(range(last_year - criteria.accepted_report_years + 1, last_year + 1))


def accepted_on(report):
    """The day an accepted report was accepted: an accepted report is never saved again, so its
    last save is the acceptance."""
    return timezone.localdate(report.updated_at)


def _report_problem(year, report, registered_on):
    """Why ``year``'s report does not count, or "" when it does."""
    if year < registered_on.year:
        return _("%(year)s 年尚未成立，没有该年度报告") % {"year": year}
    if report is None:
        return _("%(year)s 年度报告未报送") % {"year": year}
    if report.status != ReportStatus.ACCEPTED:
        return _("%(year)s 年度报告%(status)s，尚未审核通过") % {
            "year": year,
            "status": report.get_status_display(),
        }
    if report.conclusion not in PASSING_CONCLUSIONS:
        return _("%(year)s 年度报告审核结论为%(conclusion)s") % {
            "year": year,
            "conclusion": report.get_conclusion_display(),
        }
    return ""


def check_reports(criteria, facts):
    years = required_report_years(criteria, facts)
    registered_on = _registered_on(facts)
    problems, as_of = [], facts.today
    for year in years:
        report = facts.reports.get(year)
        problem = _report_problem(year, report, registered_on)
        if problem:
            problems.append((year, problem))
        else:
            as_of = min(as_of, accepted_on(report))
    requirement = ngettext(
        "近 %(n)d 年年度报告审核合格（%(years)s 年度）",
        "近 %(n)d 年年度报告审核合格（%(years)s 年度）",
        len(years),
    ) % {"n": len(years), "years": _("、").join(str(year) for year in years)}
    if not problems:
        fact = _("%(years)s 年度报告均已审核合格") % {"years": _("、").join(str(y) for y in years)}
        return _result("reports", requirement, True, fact, REPORTS, as_of)
    fixable = [year for year, _problem in problems if year >= registered_on.year]
    # A missing year has no report: it is to be filed, not waited for.
    waiting = [
        year
        for year in fixable
        if facts.reports.get(year) is not None and facts.reports[year].status == ReportStatus.SUBMITTED
    ]
    to_file = [year for year in fixable if year not in waiting]
    fixes = []
    if to_file:
        fixes.append(
            _("完成 %(years)s 年度报告并通过审核（在机构工作台“年度报告”中填报）。")
            % {"years": _("、").join(str(year) for year in to_file)}
        )
    if waiting:
        fixes.append(
            _("%(years)s 年度报告已报送，等待登记管理机关审核；审核通过后即符合此项。")
            % {"years": _("、").join(str(year) for year in waiting)}
        )
    fix = "".join(fixes) if fixes else _("成立年数不足，满足年限后可申请。")
    return _result(
        "reports", requirement, False, _("；").join(p for _y, p in problems), REPORTS, facts.today, fix
    )


def check_rating(criteria, facts):
    minimum = Grade(criteria.min_rating)
    rating = facts.rating
    if rating is None:
        fact, as_of, passed = _("无有效的评估等级"), facts.today, False
    else:
        fact = _("评估等级 %(grade)s（%(date)s 评定，有效期至 %(expires)s）") % {
            "grade": rating.get_grade_display(),
            "date": rating.rated_on.isoformat(),
            "expires": rating.expires_on.isoformat(),
        }
        as_of, passed = rating.rated_on, rating.grade >= minimum
    return _result(
        "rating",
        _("评估等级不低于 %(grade)s") % {"grade": minimum.label},
        passed,
        fact,
        CREDIT,
        as_of,
        _("参加社会组织等级评估并达到 %(grade)s 及以上。") % {"grade": minimum.label},
    )


def check_c3(criteria, facts):
    requirement = _("慈善组织年度支出和管理费用比例达标（C3）")
    if not facts.organization.is_charity:
        return _result("c3", requirement, True, _("非慈善组织，不适用"), REGISTRY, facts.today)
    report = facts.latest_accepted()
    if report is None:
        return _result(
            "c3",
            requirement,
            False,
            _("尚无审核通过的年度报告，无法计算支出比例"),
            REPORTS,
            facts.today,
            _("完成年度报告并通过审核。"),
        )
    checks = facts.c3_checks(report)
    breaches = [check for check in checks if not check.ok]
    as_of = accepted_on(report)
    if not breaches:
        fact = _("%(year)s 年度报告：各项比例均达标") % {"year": report.year}
        return _result("c3", requirement, True, fact, REPORTS, as_of)
    fact = _("；").join(
        _("%(year)s 年度%(label)s %(actual)s%%（%(bound)s %(limit)s%%）")
        % {
            "year": report.year,
            "label": check.label,
            "actual": "—" if check.actual_percent is None else check.actual_percent,
            "bound": _("下限") if check.is_minimum else _("上限"),
            "limit": check.limit_percent,
        }
        for check in breaches
    )
    return _result(
        "c3",
        requirement,
        False,
        fact,
        REPORTS,
        as_of,
        _("调整支出结构，在下一年度报告中达到比例要求。"),
    )


# The criteria in the order they are shown: (code, applies to these criteria?, check).
CHECKS = (
    ("status", lambda c: True, check_status),
    ("org_type", lambda c: bool(c.org_types), check_org_type),
    ("district", lambda c: bool(c.districts), check_district),
    ("service_field", lambda c: bool(c.service_fields), check_service_field),
    ("min_age", lambda c: c.min_months_registered is not None, check_min_age),
    ("max_age", lambda c: c.max_months_registered is not None, check_max_age),
    ("no_abnormal", lambda c: c.no_abnormal_listing, check_abnormal),
    ("no_serious", lambda c: c.no_serious_listing, check_serious),
    ("reports", lambda c: c.accepted_report_years > 0, check_reports),
    ("rating", lambda c: c.min_rating is not None, check_rating),
    ("c3", lambda c: c.c3_within_limits, check_c3),
)


def evaluate(criteria, organization, today=None, facts=None):
    """I1: every criterion of ``criteria`` that applies, checked against ``organization``.
    ``facts`` (:meth:`Facts.load`) lets a page check several programmes on one read."""
    today = today or timezone.localdate()
    facts = facts or Facts.load(organization, today)
    results = [check(criteria, facts) for _code, applies, check in CHECKS if applies(criteria)]
    return Eligibility(results=results, checked_on=today)


def requirements(criteria):
    """The criteria in plain Chinese, for a programme page (no organisation needed)."""
    texts = [_("登记状态正常")]
    if criteria.org_types:
        texts.append(_("组织类型为%(types)s") % {"types": _labels(OrgType, criteria.org_types)})
    if criteria.districts:
        texts.append(_("住所位于%(districts)s") % {"districts": _labels(District, criteria.districts)})
    if criteria.service_fields:
        texts.append(_("服务领域为%(fields)s") % {"fields": _labels(ServiceField, criteria.service_fields)})
    if criteria.min_months_registered is not None:
        texts.append(_("成立满%(age)s") % {"age": months_text(criteria.min_months_registered)})
    if criteria.max_months_registered is not None:
        texts.append(_("成立不超过%(age)s") % {"age": months_text(criteria.max_months_registered)})
    if criteria.no_abnormal_listing:
        texts.append(_("未被列入活动异常名录"))
    if criteria.no_serious_listing:
        texts.append(_("未被列入严重违法失信名单"))
    if criteria.accepted_report_years:
        texts.append(
            ngettext(
                "近 %(n)d 年年度报告审核合格",
                "近 %(n)d 年年度报告审核合格",
                criteria.accepted_report_years,
            )
            % {"n": criteria.accepted_report_years}
        )
    if criteria.min_rating is not None:
        texts.append(_("评估等级不低于 %(grade)s") % {"grade": Grade(criteria.min_rating).label})
    if criteria.c3_within_limits:
        texts.append(_("慈善组织年度支出和管理费用比例达标（C3）"))
    if getattr(criteria, "accepts_founding_groups", False):
        texts.append(_("筹备中、尚未登记的发起人团队也可申请（按拟登记的组织类型、所在区和服务领域核验）"))
    return texts


@dataclass(frozen=True)
class Change:
    code: str
    requirement: str
    before: dict | None
    after: dict | None


def changes(before, after):
    """The criteria whose result or fact differs between two stored checks (lists of
    :meth:`CriterionResult.as_dict`), for the reviewer: "at submission" against "now"."""
    old = {row["code"]: row for row in before or []}
    new = {row["code"]: row for row in after or []}
    found = []
    for code in list(old) + [code for code in new if code not in old]:
        a, b = old.get(code), new.get(code)
        if a is None or b is None or a["passed"] != b["passed"] or a["fact"] != b["fact"]:
            found.append(Change(code, (b or a)["requirement"], a, b))
    return found


def from_json(rows):
    """Stored results (:meth:`Eligibility.as_json`) back as :class:`CriterionResult` objects."""
    names = CriterionResult.__dataclass_fields__
    return [CriterionResult(**{k: v for k, v in row.items() if k in names}) for row in rows or []]
