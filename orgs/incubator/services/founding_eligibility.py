"""I1 for founding groups (筹备中, issue 16): the criteria engine of
:mod:`orgs.incubator.services.eligibility`, read for a group that is not registered yet.

A group has no registry record, reports or rating of its own: the list criteria are checked
against what it plans, its name against the registry, the listings against the registered
organisations its applicant belongs to, and the criteria that need a registered history fail
with how to meet them. :func:`evaluate_application` picks the organisation's or the group's
check for an application.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from orgs.credit.models import Grade, ListType
from orgs.credit.services import current_entries
from orgs.registry.models import District, OrgType, ServiceField

from .eligibility import CREDIT, FOUNDING, REGISTRY, Eligibility, _labels, _result, evaluate, months_text


@dataclass
class GroupFacts:
    group: object
    today: datetime.date
    name_taken: bool = False
    # (organisation, its current entries by list type) for each organisation the applicant
    # belongs to.
    affiliations: list = field(default_factory=list)

    @classmethod
    def load(cls, group, today):
        from orgs.registry.models import Organization
        from orgs.registry.services import memberships_for

        affiliations = []
        for membership in memberships_for(group.applicant):
            listings = {}
            for entry in current_entries(membership.organization).order_by("listed_on", "pk"):
                listings.setdefault(entry.list_type, []).append(entry)
            affiliations.append((membership.organization, listings))
        return cls(
            group=group,
            today=today,
            name_taken=Organization.objects.filter(name=group.planned_name.strip()).exists(),
            affiliations=affiliations,
        )


NOT_REGISTERED = lambda: _("筹备中，尚未登记成立")  # noqa: E731


def group_founding(criteria, facts):
    return _result(
        "founding",
        _("接受筹备中的组织申请"),
        criteria.accepts_founding_groups,
        _("%(name)s：筹备中，尚未登记成立") % {"name": facts.group.planned_name},
        FOUNDING,
        facts.today,
        _("本项目只接受已登记的社会组织；登记成立后以机构身份申请，或选择接受筹备中组织的项目。"),
    )


def group_name(criteria, facts):
    name = facts.group.planned_name
    return _result(
        "name",
        _("拟登记名称未被已登记的社会组织使用"),
        not facts.name_taken,
        _("“%(name)s”已被已登记的社会组织使用") % {"name": name}
        if facts.name_taken
        else _("“%(name)s”尚无已登记的社会组织使用") % {"name": name},
        REGISTRY,
        facts.today,
        _("更换拟登记名称（名称以登记管理机关核准为准）。"),
    )


# The list criteria, read from what a group plans: code -> (criteria field, choices, the
# group's field, requirement, fact, fix).
PLANNED = {
    "org_type": (
        "org_types",
        OrgType,
        "planned_type",
        lambda labels: _("组织类型为%(types)s") % {"types": labels},
        lambda value: _("拟登记的组织类型：%(type)s") % {"type": value},
        lambda: _("本项目不面向该类型的组织，请选择其他项目。"),
    ),
    "district": (
        "districts",
        District,
        "planned_district",
        lambda labels: _("住所位于%(districts)s") % {"districts": labels},
        lambda value: _("拟设住所所在区：%(district)s") % {"district": value},
        lambda: _("本项目只面向住所在上述区的组织，请选择其他项目。"),
    ),
    "service_field": (
        "service_fields",
        ServiceField,
        "planned_field",
        lambda labels: _("服务领域为%(fields)s") % {"fields": labels},
        lambda value: _("拟从事的服务领域：%(field)s") % {"field": value},
        lambda: _("本项目不面向该服务领域，请选择其他项目。"),
    ),
}


def group_planned(code):
    """The check of list criterion ``code`` against the group's planned value."""
    name, choices, planned, requirement, fact, fix = PLANNED[code]

    def check(criteria, facts):
        allowed, value = getattr(criteria, name), getattr(facts.group, planned)
        return _result(
            code,
            requirement(_labels(choices, allowed)),
            value in allowed,
            fact(choices(value).label),
            FOUNDING,
            facts.today,
            fix(),
        )

    return check


def group_min_age(criteria, facts):
    months = criteria.min_months_registered
    return _result(
        "min_age",
        _("成立满%(age)s") % {"age": months_text(months)},
        False,
        NOT_REGISTERED(),
        FOUNDING,
        facts.today,
        _("本项目面向成立满%(age)s的组织，登记成立满%(age)s后可申请。") % {"age": months_text(months)},
    )


def group_max_age(criteria, facts):
    return _result(
        "max_age",
        _("成立不超过%(age)s") % {"age": months_text(criteria.max_months_registered)},
        True,
        NOT_REGISTERED(),
        FOUNDING,
        facts.today,
    )


def _group_listing(code, list_type, requirement, facts):
    for organization, listings in facts.affiliations:
        entries = listings.get(list_type, [])
        if entries:
            entry = entries[0]
            return _result(
                code,
                requirement,
                False,
                _("申请人所在的%(org)s自%(date)s起被列入%(list)s（%(reason)s）")
                % {
                    "org": organization.name,
                    "date": entry.listed_on.isoformat(),
                    "list": entry.get_list_type_display(),
                    "reason": entry.get_reason_display(),
                },
                CREDIT,
                entry.listed_on,
                _("该组织移出%(list)s后方可申请。") % {"list": entry.get_list_type_display()},
            )
    fact = (
        _("申请人所在的已登记社会组织均未被列入%(list)s") % {"list": ListType(list_type).label}
        if facts.affiliations
        else _("申请人未在已登记的社会组织任职，无列入记录")
    )
    return _result(code, requirement, True, fact, CREDIT, facts.today)


def group_abnormal(criteria, facts):
    return _group_listing("no_abnormal", ListType.ABNORMAL, _("未被列入活动异常名录"), facts)


def group_serious(criteria, facts):
    return _group_listing("no_serious", ListType.SERIOUS, _("未被列入严重违法失信名单"), facts)


def group_reports(criteria, facts):
    n = criteria.accepted_report_years
    return _result(
        "reports",
        ngettext("近 %(n)d 年年度报告审核合格", "近 %(n)d 年年度报告审核合格", n) % {"n": n},
        False,
        _("筹备中，尚无年度报告"),
        FOUNDING,
        facts.today,
        _("本项目要求已登记并通过年度报告审核的组织，登记成立并完成年报后可申请。"),
    )


def group_rating(criteria, facts):
    minimum = Grade(criteria.min_rating)
    return _result(
        "rating",
        _("评估等级不低于 %(grade)s") % {"grade": minimum.label},
        False,
        _("筹备中，尚无评估等级"),
        FOUNDING,
        facts.today,
        _("登记成立后参加社会组织等级评估并达到 %(grade)s 及以上。") % {"grade": minimum.label},
    )


def group_c3(criteria, facts):
    return _result(
        "c3",
        _("慈善组织年度支出和管理费用比例达标（C3）"),
        True,
        _("筹备中，尚未认定为慈善组织，不适用"),
        FOUNDING,
        facts.today,
    )


GROUP_CHECKS = (
    ("founding", lambda c: True, group_founding),
    ("name", lambda c: True, group_name),
    ("org_type", lambda c: bool(c.org_types), group_planned("org_type")),
    ("district", lambda c: bool(c.districts), group_planned("district")),
    ("service_field", lambda c: bool(c.service_fields), group_planned("service_field")),
    ("min_age", lambda c: c.min_months_registered is not None, group_min_age),
    ("max_age", lambda c: c.max_months_registered is not None, group_max_age),
    ("no_abnormal", lambda c: c.no_abnormal_listing, group_abnormal),
    ("no_serious", lambda c: c.no_serious_listing, group_serious),
    ("reports", lambda c: c.accepted_report_years > 0, group_reports),
    ("rating", lambda c: c.min_rating is not None, group_rating),
    ("c3", lambda c: c.c3_within_limits, group_c3),
)


def evaluate_group(criteria, group, today=None):
    """I1 for a founding group (筹备中): the same criteria, read from what it plans, the
    registry and its applicant's affiliations."""
    today = today or timezone.localdate()
    facts = GroupFacts.load(group, today)
    results = [check(criteria, facts) for _code, applies, check in GROUP_CHECKS if applies(criteria)]
    return Eligibility(results=results, checked_on=today)


def evaluate_application(application, today=None):
    """The applicant's eligibility now: the organisation's, or the founding group's until it
    is registered."""
    if application.organization_id is None:
        return evaluate_group(application.programme, application.founding_group, today)
    return evaluate(application.programme, application.organization, today)
