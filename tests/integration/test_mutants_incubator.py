"""Tests written to kill the surviving mutants of the incubator's rule modules (mutmut run of
6 December 2026, triage in docs/mutation-2026-12-06-incubator.md).

What is guarded here, each through its real service and the shared factories:

* I1 for founding groups (``orgs.incubator.services.founding_eligibility``): every criterion a
  group is checked against reads back in full, as the applicant sees it on the eligibility
  panel — the requirement, whether it passed, the fact, its source and how to meet it — so a
  dropped or altered text, a lost source or code is noticed; and the listing check names the
  earliest listing of the applicant's organisation. The three planned-list checks are built
  at import time, so one test builds them again to run the builder. For registered
  organisations, the reviewer's "at submission / now" comparison shows a criterion whose fact
  changed even though it still passes; a programme's requirements say when founding groups
  may apply (an offer's never do).
* I2 matching (``orgs.incubator.services.matching``): every fit adds its own points (they
  add up, none replaces the others) and states its reason word for word; the income band
  counts with both ends inclusive and when only one end is set, never when none is; past
  deliveries are the organisation's own; a match is checked as of the day asked; ranking
  reads the offers' funders in the same query.
* The panel's standings (评审打分, ``orgs.incubator.services.panel``): only this programme's applications, only scoring reviews, the
  panel's progress, and the applicant and programme read in the same query.

Every date is relative to ``timezone.localdate()``.
"""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orgs.credit.models import ListReason
from orgs.incubator.models import ApplicationState, OfferKind
from orgs.incubator.services import panel
from orgs.incubator.services.eligibility import changes, evaluate, requirements
from orgs.incubator.services.founding_eligibility import GroupFacts, evaluate_group, group_planned
from orgs.incubator.services.matching import match, rank
from orgs.incubator.services.offers import apply_to_offer, award
from orgs.registry.models import District, OrgType, ServiceField
from tests.factories.credit import make_listing, officer
from tests.factories.incubator import (
    ProgrammeFactory,
    application_in,
    founder_account,
    founding_group,
    member,
    offer,
    report,
    score,
)
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db

GROUP_NAME = "北京市朝阳区邻里守望互助中心"  # the factory's planned name


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


def by_code(eligibility):
    return {r.code: r for r in eligibility.results}


def shown(result):
    """What the eligibility panel shows of one criterion."""
    return (result.requirement, result.passed, result.fact, result.source, result.fix)


# --- I1 for founding groups ---------------------------------------------------------------------


def test_i1_a_founding_group_reads_every_criterion_in_full_requirement_fact_source_and_fix():
    programme = ProgrammeFactory(
        accepts_founding_groups=True,
        min_months_registered=12,
        max_months_registered=36,
        accepted_report_years=2,
        min_rating=3,
        c3_within_limits=True,
    )
    eligibility = evaluate_group(programme, founding_group())
    results = by_code(eligibility)
    assert list(results) == [
        "founding",
        "name",
        "min_age",
        "max_age",
        "no_abnormal",
        "no_serious",
        "reports",
        "rating",
        "c3",
    ]
    assert shown(results["name"]) == (
        "拟登记名称未被已登记的社会组织使用",
        True,
        f"“{GROUP_NAME}”尚无已登记的社会组织使用",
        "registry",
        "",
    )
    assert shown(results["min_age"]) == (
        "成立满1 年",
        False,
        "筹备中，尚未登记成立",
        "founding",
        "本项目面向成立满1 年的组织，登记成立满1 年后可申请。",
    )
    assert shown(results["max_age"]) == ("成立不超过3 年", True, "筹备中，尚未登记成立", "founding", "")
    # An applicant who belongs to no registered organisation has no listing to inherit.
    for code, requirement in (
        ("no_abnormal", "未被列入活动异常名录"),
        ("no_serious", "未被列入严重违法失信名单"),
    ):
        assert shown(results[code]) == (
            requirement,
            True,
            "申请人未在已登记的社会组织任职，无列入记录",
            "credit",
            "",
        )
    # Two years: the plural form of the requirement.
    assert shown(results["reports"]) == (
        "近 2 年年度报告审核合格",
        False,
        "筹备中，尚无年度报告",
        "founding",
        "本项目要求已登记并通过年度报告审核的组织，登记成立并完成年报后可申请。",
    )
    assert shown(results["rating"]) == (
        "评估等级不低于 3A",
        False,
        "筹备中，尚无评估等级",
        "founding",
        "登记成立后参加社会组织等级评估并达到 3A 及以上。",
    )
    assert shown(results["c3"]) == (
        "慈善组织年度支出和管理费用比例达标（C3）",
        True,
        "筹备中，尚未认定为慈善组织，不适用",
        "founding",
        "",
    )
    assert {r.as_of for r in eligibility.results} == {today().isoformat()}
    assert eligibility.checked_on == today()
    # One year: the singular form.
    one_year = ProgrammeFactory(accepts_founding_groups=True, accepted_report_years=1)
    assert (
        by_code(evaluate_group(one_year, founding_group()))["reports"].requirement
        == "近 1 年年度报告审核合格"
    )


def test_i1_each_planned_list_check_reads_the_group_s_plan_against_the_programme_s_list():
    # The three checks are built once, when the module is imported (GROUP_CHECKS); building
    # them again here runs group_planned itself. The group plans a social service
    # organisation in Chaoyang working in community services.
    programme = ProgrammeFactory(
        accepts_founding_groups=True,
        org_types=[OrgType.SOCIAL_GROUP, OrgType.SOCIAL_SERVICE],
        districts=[District.HAIDIAN],
        service_fields=[ServiceField.COMMUNITY],
    )
    facts = GroupFacts.load(founding_group(), today())
    checks = {
        code: group_planned(code)(programme, facts) for code in ("org_type", "district", "service_field")
    }
    assert {code: (result.code, result.as_of) for code, result in checks.items()} == {
        code: (code, today().isoformat()) for code in checks
    }
    assert shown(checks["org_type"]) == (
        "组织类型为社会团体、社会服务机构",
        True,
        "拟登记的组织类型：社会服务机构",
        "founding",
        "",
    )
    assert shown(checks["district"]) == (
        "住所位于海淀区",
        False,
        "拟设住所所在区：朝阳区",
        "founding",
        "本项目只面向住所在上述区的组织，请选择其他项目。",
    )
    assert shown(checks["service_field"]) == (
        "服务领域为社区服务",
        True,
        "拟从事的服务领域：社区服务",
        "founding",
        "",
    )


def test_i1_a_programme_open_to_founding_groups_says_so_and_an_offer_never_does():
    founding = "筹备中、尚未登记的发起人团队也可申请（按拟登记的组织类型、所在区和服务领域核验）"
    open_to_groups = ProgrammeFactory(accepts_founding_groups=True)
    assert requirements(open_to_groups) == [
        "登记状态正常",
        "未被列入活动异常名录",
        "未被列入严重违法失信名单",
        founding,
    ]
    assert founding not in requirements(ProgrammeFactory())
    # An offer has no such field: only registered organisations apply to offers.
    assert founding not in requirements(offer("场地资源"))


def test_i1_the_reviewer_sees_a_criterion_whose_fact_changed_even_if_it_still_passes():
    programme = ProgrammeFactory(districts=[District.CHAOYANG, District.HAIDIAN])
    organization = elderly_service_org()
    at_submission = evaluate(programme, organization).as_json()
    organization.district = District.HAIDIAN
    organization.save()
    now = evaluate(programme, organization).as_json()
    (changed,) = changes(at_submission, now)
    assert (changed.code, changed.before["passed"], changed.after["passed"]) == ("district", True, True)
    assert "朝阳区" in changed.before["fact"] and "海淀区" in changed.after["fact"]


def test_i1_a_founding_group_whose_planned_name_is_taken_is_told_to_change_it():
    group = founding_group()
    OrganizationFactory(name=GROUP_NAME)
    name = by_code(evaluate_group(ProgrammeFactory(accepts_founding_groups=True), group))["name"]
    assert shown(name) == (
        "拟登记名称未被已登记的社会组织使用",
        False,
        f"“{GROUP_NAME}”已被已登记的社会组织使用",
        "registry",
        "更换拟登记名称（名称以登记管理机关核准为准）。",
    )


def test_i1_a_founding_group_inherits_the_earliest_listing_of_its_applicant_s_organisation():
    user = founder_account()
    organization = OrganizationFactory(name="北京某某协会（测试）")
    member(organization, user)
    group = founding_group(user)
    programme = ProgrammeFactory(accepts_founding_groups=True)
    clean = by_code(evaluate_group(programme, group))
    assert shown(clean["no_abnormal"]) == (
        "未被列入活动异常名录",
        True,
        "申请人所在的已登记社会组织均未被列入活动异常名录",
        "credit",
        "",
    )
    assert clean["no_serious"].fact == "申请人所在的已登记社会组织均未被列入严重违法失信名单"
    # The later listing is recorded first: the check still names the earlier one.
    make_listing(organization, listed_on=today() - days(3), reason=ListReason.REPORT_NOT_FILED)
    make_listing(organization, listed_on=today() - days(40), reason=ListReason.UNREACHABLE)
    listed = by_code(evaluate_group(programme, group))["no_abnormal"]
    earliest = (today() - days(40)).isoformat()
    assert shown(listed) == (
        "未被列入活动异常名录",
        False,
        f"申请人所在的北京某某协会（测试）自{earliest}起被列入活动异常名录（通过登记的住所无法与其取得联系）",
        "credit",
        "该组织移出活动异常名录后方可申请。",
    )
    assert listed.as_of == earliest
    assert by_code(evaluate_group(programme, group))["no_serious"].passed


# --- I2 matching --------------------------------------------------------------------------------


def elderly_service_org(**fields):
    values = {
        "org_type": OrgType.SOCIAL_SERVICE,
        "district": District.CHAOYANG,
        "service_field": ServiceField.ELDERLY,
        "registered_on": today() - days(1500),
    }
    values.update(fields)
    return OrganizationFactory(**values)


def ended_award(organization, n, bureau):
    """A pro bono award to ``organization`` whose period ended ``n + 1`` days ago."""
    done = offer(f"已完成的项目{organization.pk}-{n}", kind=OfferKind.PRO_BONO)
    application = apply_to_offer(done, organization, user=member(organization), statement="申请专业服务。")
    award(
        application,
        amount=None,
        starts_on=today() - days(200),
        ends_on=today() - days(1 + n),
        deliverables="完成财务制度梳理",
        document_number=f"PB-{organization.pk}-{n}",
        user=bureau,
    )


def test_i2_every_fit_adds_its_own_points_and_states_its_reason_word_for_word():
    organization = elderly_service_org()
    last_year = today().year - 1
    report(organization, last_year - 1)
    report(organization, last_year)  # the latest accepted: income 500,000.00
    bureau = officer()
    for n in range(2):
        ended_award(organization, n, bureau)
    ended_award(elderly_service_org(), 0, bureau)  # another organisation's delivery
    # The band's two ends are the income itself: both ends are inclusive.
    target = offer(
        "养老服务综合资源",
        field=ServiceField.ELDERLY,
        district=District.CHAOYANG,
        min_income=500000,
        max_income=500000,
    )
    result = match(target, organization)  # deliveries counted by match itself
    assert result.reasons == [
        "服务领域=养老服务",
        "所在区=朝阳区",
        f"{last_year} 年度收入 500,000.00 元，在适合的规模内",
        "已完成 2 个资助或购买服务项目",
        f"近 {settings.I2_FIT_REPORT_YEARS} 年年度报告审核合格",
    ]
    assert result.score == (
        settings.I2_FIT_FIELD_POINTS
        + settings.I2_FIT_DISTRICT_POINTS
        + settings.I2_FIT_SIZE_POINTS
        + settings.I2_FIT_AWARD_POINTS * 2
        + settings.I2_FIT_REPORT_POINTS
    )


def test_i2_an_income_band_open_at_one_end_counts_and_no_band_never_does():
    organization = elderly_service_org()
    report(organization, today().year - 1)  # income 500,000.00
    offer("面向中型以上机构", min_income=100000)
    offer("面向中小机构", max_income=1000000)
    offer("面向大型机构", min_income=800000)
    offer("不限规模")
    size = {m.offer.title: any("年度收入" in r for r in m.reasons) for m in rank(organization)}
    assert size == {"面向中型以上机构": True, "面向中小机构": True, "面向大型机构": False, "不限规模": False}
    # An organisation without an accepted report has no size to fit.
    unreported = elderly_service_org()
    assert all(not any("年度收入" in r for r in m.reasons) for m in rank(unreported))


def test_i2_a_match_is_checked_as_of_the_day_asked():
    organization = elderly_service_org()
    target = offer("场地资源")
    day = today() - days(2)
    assert match(target, organization, today=day).eligibility.checked_on == day
    (ranked,) = rank(organization, today=day)
    assert ranked.eligibility.checked_on == day


def test_i2_ranking_reads_each_offer_s_funder_in_the_same_query():
    organization = elderly_service_org()
    for n in range(3):
        foundation = OrganizationFactory(name=f"北京市测试基金会{n}", org_type=OrgType.FOUNDATION)
        offer(f"小额资助{n}", kind=OfferKind.GRANT, funder=foundation, budget=50000)
    ranked = rank(organization)
    with CaptureQueriesContext(connection) as queries:
        funders = sorted(m.offer.funder.name for m in ranked)
    assert funders == [f"北京市测试基金会{n}" for n in range(3)]
    assert len(queries) == 0


# --- Panel standings -----------------------------------------------------------------------------


def test_panel_standings_show_only_this_programme_s_scored_applications_with_the_panel_s_progress():
    scored = application_in(ApplicationState.SCORING, programme=ProgrammeFactory(panel_min_reviewers=2))
    programme = scored.programme
    recused_only = application_in(ApplicationState.SCORING, programme=programme)
    elsewhere = application_in(ApplicationState.SCORING)
    score(scored, points=8)
    score(recused_only, conflict=True, conflict_note="亲属在该机构任职。")
    score(elsewhere, points=9)
    rows = panel.standings(programme)
    # Only the scoring review counts; a declared conflict alone puts nothing in the standings,
    # and another programme's applications are not in this one's.
    assert [
        (application.pk, len(result.scored), result.complete, result.missing) for application, result in rows
    ] == [(scored.pk, 1, False, 1)]
    # The reviewer's table names each applicant and programme without a query per row.
    with CaptureQueriesContext(connection) as queries:
        names = [(application.organization.name, application.programme.title) for application, _r in rows]
    assert names == [(scored.organization.name, programme.title)]
    assert len(queries) == 0
