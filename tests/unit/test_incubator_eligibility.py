"""I1: the incubator's criteria engine (``orgs.incubator.services.eligibility``), each criterion
on data that passes and on data that fails, with the explanation the applicant reads: what is
required, the fact read, its source and date, and how to fix a failure.

Every date is derived from ``timezone.localdate()`` (or from a "today" passed to ``evaluate``
that is itself derived from it), so the suite keeps its meaning with the clock moved."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.dates import add_months, add_years
from orgs.credit.models import Grade, ListReason, ListType, RemovalReason
from orgs.credit.services import remove_entry
from orgs.incubator.services.eligibility import (
    CREDIT,
    REGISTRY,
    REPORTS,
    changes,
    evaluate,
    from_json,
    months_text,
    requirements,
)
from orgs.registry.models import District, OrgStatus, OrgType, ServiceField
from orgs.reports.models import Conclusion
from tests.factories.charity import CharityFactory
from tests.factories.credit import make_listing, officer
from tests.factories.incubator import criteria, rated, report
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


def result(eligibility, code):
    found = [r for r in eligibility.results if r.code == code]
    assert len(found) == 1, [r.code for r in eligibility.results]
    return found[0]


def check(programme, organization, code, on=None):
    return result(evaluate(programme, organization, on or today()), code)


def due_year(on):
    """The latest report year whose S2 deadline (31 May for a social group without a
    supervising unit) has passed by ``on``: the independent oracle for the report criterion."""
    return on.year - 1 if on > datetime.date(on.year, 5, 31) else on.year - 2


# --- Registration status ------------------------------------------------------------------------


def test_i1_registration_in_good_standing_passes_with_its_status_and_source():
    r = check(criteria(), OrganizationFactory(), "status")
    assert r.passed
    assert (r.requirement, r.fact, r.source, r.as_of, r.fix) == (
        "登记状态正常",
        "登记状态：正常",
        REGISTRY,
        today().isoformat(),
        "",
    )
    assert r.source_label == "社会组织登记信息"


@pytest.mark.parametrize(("status", "label"), [(OrgStatus.DEREGISTERED, "注销"), (OrgStatus.REVOKED, "撤销")])
def test_i1_deregistered_or_revoked_organisation_fails_with_its_status(status, label):
    eligibility = evaluate(criteria(), OrganizationFactory(status=status))
    r = result(eligibility, "status")
    assert not r.passed and not eligibility.eligible
    assert r.fact == f"登记状态：{label}"
    assert r.fix == "已注销或被撤销登记的组织不能申请。"
    assert eligibility.failures == [r]


# --- Organisation type, district, service field -------------------------------------------------


def test_i1_organisation_type_outside_the_list_fails_naming_the_types():
    programme = criteria(org_types=[OrgType.SOCIAL_SERVICE, OrgType.FOUNDATION])
    r = check(programme, OrganizationFactory(org_type=OrgType.SOCIAL_GROUP), "org_type")
    assert not r.passed
    assert r.requirement == "组织类型为社会服务机构、基金会"
    assert r.fact == "组织类型：社会团体"
    assert (r.source, r.as_of) == (REGISTRY, today().isoformat())
    assert r.fix == "本项目不面向该类型的组织，请选择其他项目。"


def test_i1_organisation_type_in_the_list_passes():
    programme = criteria(org_types=[OrgType.SOCIAL_SERVICE, OrgType.FOUNDATION])
    r = check(programme, OrganizationFactory(org_type=OrgType.SOCIAL_SERVICE), "org_type")
    assert r.passed and r.fact == "组织类型：社会服务机构" and r.fix == ""


def test_i1_no_type_list_means_any_type_and_no_type_criterion():
    codes = [r.code for r in evaluate(criteria(), OrganizationFactory()).results]
    assert codes == ["status"]


def test_i1_district_outside_the_list_fails_with_the_registered_district_and_how_to_move():
    programme = criteria(districts=[District.HAIDIAN, District.XICHENG])
    r = check(programme, OrganizationFactory(district=District.CHAOYANG), "district")
    assert not r.passed
    assert r.requirement == "住所位于海淀区、西城区"
    assert r.fact == "所在区：朝阳区"
    assert (r.source, r.as_of) == (REGISTRY, today().isoformat())
    assert r.fix == "住所以登记为准；迁入本区须先办理住所变更登记。"


def test_i1_district_in_the_list_passes():
    programme = criteria(districts=[District.HAIDIAN, District.XICHENG])
    r = check(programme, OrganizationFactory(district=District.XICHENG), "district")
    assert r.passed and r.fact == "所在区：西城区" and r.fix == ""


def test_i1_service_field_outside_the_list_fails_and_says_who_classifies_it():
    programme = criteria(service_fields=[ServiceField.ELDERLY, ServiceField.COMMUNITY])
    r = check(programme, OrganizationFactory(service_field=ServiceField.EDUCATION), "service_field")
    assert not r.passed
    assert r.requirement == "服务领域为养老服务、社区服务"
    assert r.fact == "服务领域：教育助学"
    assert (r.source, r.as_of) == (REGISTRY, today().isoformat())
    assert r.fix == "服务领域由登记管理机关依业务范围归类；如归类有误，请联系登记管理机关更正。"


def test_i1_unclassified_service_field_fails_as_unclassified():
    programme = criteria(service_fields=[ServiceField.ELDERLY])
    r = check(programme, OrganizationFactory(service_field=""), "service_field")
    assert not r.passed and r.fact == "服务领域：未归类"


def test_i1_service_field_in_the_list_passes():
    programme = criteria(service_fields=[ServiceField.ELDERLY, ServiceField.COMMUNITY])
    r = check(programme, OrganizationFactory(service_field=ServiceField.COMMUNITY), "service_field")
    assert r.passed and r.fact == "服务领域：社区服务" and r.fix == ""


# --- Age: exact boundary days ------------------------------------------------------------------


@pytest.mark.parametrize(("months", "text"), [(18, "18 个月"), (24, "2 年")])
def test_i1_min_age_is_met_on_the_day_the_organisation_turns_n_months_not_the_day_before(months, text):
    registered_on = today() - days(800)
    organization = OrganizationFactory(registered_on=registered_on)
    programme = criteria(min_months_registered=months)
    birthday = add_months(registered_on, months)
    assert birthday < today()

    on_the_day = check(programme, organization, "min_age", on=birthday)
    assert on_the_day.passed and on_the_day.fix == ""

    day_before = check(programme, organization, "min_age", on=birthday - days(1))
    assert not day_before.passed
    assert day_before.requirement == f"成立满{text}"
    assert day_before.fact == f"成立登记日期：{registered_on.isoformat()}"
    assert (day_before.source, day_before.as_of) == (REGISTRY, (birthday - days(1)).isoformat())
    assert day_before.fix == f"{birthday.isoformat()} 起成立满{text}，届时可申请。"


def test_i1_min_age_on_todays_date_counts_from_the_registration_day():
    """The real clock: registered exactly 12 months ago is old enough; a day later is not
    (unless both anniversaries clamp to the same month's end, as 28 and 29 February do)."""
    registered_on = add_months(today(), -12)
    old_enough = OrganizationFactory(registered_on=registered_on)
    too_young = OrganizationFactory(registered_on=registered_on + days(1))
    programme = criteria(min_months_registered=12)
    assert check(programme, old_enough, "min_age").passed
    young = check(programme, too_young, "min_age")
    if add_months(registered_on + days(1), 12) > today():
        assert not young.passed
        assert young.fix.startswith(add_months(registered_on + days(1), 12).isoformat())


def test_i1_max_age_is_met_up_to_the_day_it_turns_n_months_and_fails_the_day_after():
    registered_on = today() - days(1200)
    organization = OrganizationFactory(registered_on=registered_on)
    programme = criteria(max_months_registered=36)
    last_day = add_months(registered_on, 36)
    assert last_day < today()

    on_the_day = check(programme, organization, "max_age", on=last_day)
    assert on_the_day.passed and on_the_day.fix == ""
    assert on_the_day.requirement == "成立不超过3 年"

    day_after = check(programme, organization, "max_age", on=last_day + days(1))
    assert not day_after.passed
    assert day_after.fact == f"成立登记日期：{registered_on.isoformat()}"
    assert (day_after.source, day_after.as_of) == (REGISTRY, (last_day + days(1)).isoformat())
    assert day_after.fix == "本项目面向成立不久的组织，请选择面向成熟组织的项目。"


def test_months_text_says_years_for_whole_years_and_months_otherwise():
    assert [months_text(n) for n in (6, 12, 18, 36)] == ["6 个月", "1 年", "18 个月", "3 年"]


# --- The credit lists ---------------------------------------------------------------------------


def test_i1_organisation_on_no_list_passes_both_listing_criteria():
    eligibility = evaluate(criteria(no_abnormal_listing=True, no_serious_listing=True), OrganizationFactory())
    abnormal, serious = result(eligibility, "no_abnormal"), result(eligibility, "no_serious")
    assert (abnormal.passed, abnormal.fact, abnormal.source, abnormal.as_of) == (
        True,
        "未被列入活动异常名录",
        CREDIT,
        today().isoformat(),
    )
    assert (serious.passed, serious.fact) == (True, "未被列入严重违法失信名单")
    assert abnormal.source_label == "社会组织信用信息"


def test_i1_abnormal_listing_fails_with_its_date_reason_and_how_to_be_removed():
    organization = OrganizationFactory()
    listed_on = today() - days(30)
    make_listing(organization, listed_on=listed_on, reason=ListReason.UNREACHABLE)
    eligibility = evaluate(criteria(no_abnormal_listing=True, no_serious_listing=True), organization)
    r = result(eligibility, "no_abnormal")
    assert not r.passed
    assert r.requirement == "未被列入活动异常名录"
    assert r.fact == f"自{listed_on.isoformat()}起被列入活动异常名录（通过登记的住所无法与其取得联系）"
    assert (r.source, r.as_of) == (CREDIT, listed_on.isoformat())
    assert r.fix == "完成整改后申请移出活动异常名录（移出后即可申请）。"
    # The abnormal list is not the serious list.
    assert result(eligibility, "no_serious").passed


def test_i1_abnormal_listing_removed_no_longer_counts():
    organization = OrganizationFactory()
    entry = make_listing(organization, listed_on=today() - days(30))
    remove_entry(
        entry,
        removed_on=today(),
        removal_reason=RemovalReason.values[0],
        document_number="京民移〔测试〕1号",
        user=officer(),
    )
    assert check(criteria(no_abnormal_listing=True), organization, "no_abnormal").passed


def test_i1_abnormal_listing_is_not_checked_when_the_programme_does_not_ask():
    organization = OrganizationFactory()
    make_listing(organization, listed_on=today() - days(30))
    assert evaluate(criteria(no_abnormal_listing=False), organization).eligible


def test_i1_serious_listing_fails_with_its_date_and_reason():
    organization = OrganizationFactory()
    listed_on = today() - days(5)
    make_listing(
        organization, listed_on=listed_on, list_type=ListType.SERIOUS, reason=ListReason.FRAUDULENT_CHANGE
    )
    eligibility = evaluate(criteria(no_abnormal_listing=True, no_serious_listing=True), organization)
    r = result(eligibility, "no_serious")
    assert not r.passed
    assert r.requirement == "未被列入严重违法失信名单"
    assert r.fact == f"自{listed_on.isoformat()}起被列入严重违法失信名单（弄虚作假办理变更登记）"
    assert (r.source, r.as_of) == (CREDIT, listed_on.isoformat())
    assert r.fix == "列入严重违法失信名单期间不能申请；满足移出条件后申请移出。"
    assert result(eligibility, "no_abnormal").passed


def test_i1_the_earliest_current_listing_is_the_one_explained():
    organization = OrganizationFactory()
    first = today() - days(90)
    make_listing(organization, listed_on=today() - days(3), reason=ListReason.RECTIFICATION_OVERDUE)
    make_listing(organization, listed_on=first, reason=ListReason.UNREACHABLE)
    r = check(criteria(no_abnormal_listing=True), organization, "no_abnormal")
    assert r.as_of == first.isoformat() and r.fact.startswith(f"自{first.isoformat()}起")


# --- Accepted annual reports --------------------------------------------------------------------


def _years(last, n=2):
    return list(range(last - n + 1, last + 1))


def _requirement(years):
    return f"近 {len(years)} 年年度报告审核合格（{'、'.join(str(y) for y in years)} 年度）"


def test_i1_reports_accepted_for_the_required_years_pass_dated_by_the_earliest_acceptance():
    organization = OrganizationFactory()
    y1, y2 = _years(due_year(today()))
    report(organization, y1, on=today() - days(40))
    report(organization, y2, on=today() - days(10), conclusion=Conclusion.BASICALLY_QUALIFIED)
    r = check(criteria(accepted_report_years=2), organization, "reports")
    assert r.passed, r.fact
    assert r.requirement == _requirement([y1, y2])
    assert r.fact == f"{y1}、{y2} 年度报告均已审核合格"
    assert (r.source, r.as_of, r.fix) == (REPORTS, (today() - days(40)).isoformat(), "")
    assert r.source_label == "年度报告审核结果"


def test_i1_missing_annual_report_fails_with_its_year_and_fix():
    organization = OrganizationFactory()
    y1, y2 = _years(due_year(today()))
    report(organization, y1)
    r = check(criteria(accepted_report_years=2), organization, "reports")
    assert not r.passed
    assert r.requirement == _requirement([y1, y2])
    assert r.fact == f"{y2} 年度报告未报送"
    assert (r.source, r.as_of) == (REPORTS, today().isoformat())
    assert r.fix == f"完成 {y2} 年度报告并通过审核（在机构工作台“年度报告”中填报）。"


def test_i1_pending_annual_report_fails_with_its_year_and_fix():
    organization = OrganizationFactory()
    y1, y2 = _years(due_year(today()))
    report(organization, y1)
    report(organization, y2, status="submitted")
    r = check(criteria(accepted_report_years=2), organization, "reports")
    assert not r.passed
    assert r.fact == f"{y2} 年度报告待审核，尚未审核通过"
    assert (r.source, r.as_of) == (REPORTS, today().isoformat())
    assert r.fix == f"{y2} 年度报告已报送，等待登记管理机关审核；审核通过后即符合此项。"


def test_i1_a_pending_and_a_missing_report_get_each_their_own_fix():
    organization = OrganizationFactory()
    y1, y2 = _years(due_year(today()))
    report(organization, y1, status="submitted")
    r = check(criteria(accepted_report_years=2), organization, "reports")
    assert r.fact == f"{y1} 年度报告待审核，尚未审核通过；{y2} 年度报告未报送"
    assert r.fix == (
        f"完成 {y2} 年度报告并通过审核（在机构工作台“年度报告”中填报）。"
        f"{y1} 年度报告已报送，等待登记管理机关审核；审核通过后即符合此项。"
    )


def test_i1_returned_annual_report_fails_as_returned():
    organization = OrganizationFactory()
    y1, y2 = _years(due_year(today()))
    report(organization, y1, status="returned")
    report(organization, y2)
    r = check(criteria(accepted_report_years=2), organization, "reports")
    assert not r.passed
    assert r.fact == f"{y1} 年度报告已退回，尚未审核通过"
    assert r.fix == f"完成 {y1} 年度报告并通过审核（在机构工作台“年度报告”中填报）。"


def test_i1_draft_and_missing_reports_are_each_named():
    organization = OrganizationFactory()
    y1, y2 = _years(due_year(today()))
    report(organization, y1, status="draft")
    r = check(criteria(accepted_report_years=2), organization, "reports")
    assert r.fact == f"{y1} 年度报告草稿，尚未审核通过；{y2} 年度报告未报送"
    assert r.fix == f"完成 {y1}、{y2} 年度报告并通过审核（在机构工作台“年度报告”中填报）。"


def test_i1_unqualified_conclusion_fails_with_the_conclusion():
    organization = OrganizationFactory()
    y1, y2 = _years(due_year(today()))
    report(organization, y1)
    report(organization, y2, conclusion=Conclusion.UNQUALIFIED)
    r = check(criteria(accepted_report_years=2), organization, "reports")
    assert not r.passed
    assert r.fact == f"{y2} 年度报告审核结论为不合格"
    assert r.fix == f"完成 {y2} 年度报告并通过审核（在机构工作台“年度报告”中填报）。"


def test_i1_year_before_registration_fails_as_not_yet_registered_and_only_time_fixes_it():
    y1, y2 = _years(due_year(today()))
    organization = OrganizationFactory(registered_on=datetime.date(y2, 1, 1))
    report(organization, y2)
    r = check(criteria(accepted_report_years=2), organization, "reports")
    assert not r.passed
    assert r.requirement == _requirement([y1, y2])
    assert r.fact == f"{y1} 年尚未成立，没有该年度报告"
    assert r.fix == "成立年数不足，满足年限后可申请。"


def test_i1_year_before_registration_and_a_missing_report_fix_only_the_fileable_year():
    y1, y2 = _years(due_year(today()))
    organization = OrganizationFactory(registered_on=datetime.date(y2, 6, 1))
    r = check(criteria(accepted_report_years=2), organization, "reports")
    assert r.fact == f"{y1} 年尚未成立，没有该年度报告；{y2} 年度报告未报送"
    assert r.fix == f"完成 {y2} 年度报告并通过审核（在机构工作台“年度报告”中填报）。"


def test_i1_last_years_accepted_report_counts_even_before_its_deadline():
    """The required years end at last year once its report is accepted, whatever the date."""
    organization = OrganizationFactory()
    last = today().year - 1
    report(organization, last - 1)
    report(organization, last)
    r = check(criteria(accepted_report_years=2), organization, "reports")
    assert r.passed
    assert r.requirement == _requirement([last - 1, last])


def test_i1_required_report_years_end_at_the_latest_due_year_without_last_years_acceptance():
    organization = OrganizationFactory()
    due = due_year(today())
    r = check(criteria(accepted_report_years=3), organization, "reports")
    assert r.requirement == _requirement(_years(due, 3))
    # Just after 31 May the years move on to last year; on 31 May they have not yet.
    june_first = datetime.date(today().year, 6, 1)
    assert check(criteria(accepted_report_years=1), organization, "reports", on=june_first).requirement == (
        _requirement([today().year - 1])
    )
    may_31 = datetime.date(today().year, 5, 31)
    assert check(criteria(accepted_report_years=1), organization, "reports", on=may_31).requirement == (
        _requirement([today().year - 2])
    )


# --- Rating ------------------------------------------------------------------------------------


def _young(on):
    """Registered on 1 January of ``on``'s year: no annual report is due yet (S7 eligible)."""
    return OrganizationFactory(registered_on=datetime.date(on.year, 1, 1))


def test_i1_no_rating_fails_and_says_how_to_get_one():
    r = check(criteria(min_rating=Grade.A3), OrganizationFactory(), "rating")
    assert not r.passed
    assert r.requirement == "评估等级不低于 3A"
    assert r.fact == "无有效的评估等级"
    assert (r.source, r.as_of) == (CREDIT, today().isoformat())
    assert r.fix == "参加社会组织等级评估并达到 3A 及以上。"


def test_i1_expired_rating_counts_as_none_from_the_day_after_its_last_valid_day():
    rated_on = add_years(today(), -5) + days(10)
    organization = _young(rated_on)
    rating = rated(organization, score="960", rated_on=rated_on)
    assert rating.expires_on >= today()
    programme = criteria(min_rating=Grade.A3)
    on_last_day = check(programme, organization, "rating", on=rating.expires_on)
    assert on_last_day.passed
    expired = check(programme, organization, "rating", on=rating.expires_on + days(1))
    assert not expired.passed and expired.fact == "无有效的评估等级"


def test_i1_rating_expired_today_fails():
    rated_on = add_years(today(), -5) - days(1)
    organization = _young(rated_on)
    rating = rated(organization, score="960", rated_on=rated_on)
    assert rating.expires_on < today()
    r = check(criteria(min_rating=Grade.A3), organization, "rating")
    assert not r.passed and r.fact == "无有效的评估等级"


def test_i1_rating_below_the_minimum_fails_with_the_grade_and_its_dates():
    rated_on = today() - days(30)
    organization = _young(rated_on)
    rating = rated(organization, score="700", rated_on=rated_on)
    assert rating.grade == Grade.A2
    r = check(criteria(min_rating=Grade.A3), organization, "rating")
    assert not r.passed
    assert r.fact == (f"评估等级 2A（{rated_on.isoformat()} 评定，有效期至 {rating.expires_on.isoformat()}）")
    assert (r.source, r.as_of) == (CREDIT, rated_on.isoformat())
    assert r.fix == "参加社会组织等级评估并达到 3A 及以上。"


def test_i1_rating_equal_to_the_minimum_passes():
    rated_on = today() - days(30)
    organization = _young(rated_on)
    rated(organization, score="750", rated_on=rated_on)
    r = check(criteria(min_rating=Grade.A3), organization, "rating")
    assert r.passed and r.fix == "" and r.fact.startswith("评估等级 3A（")


def test_i1_rating_above_the_minimum_passes():
    rated_on = today() - days(30)
    organization = _young(rated_on)
    rated(organization, score="955", rated_on=rated_on)
    assert check(criteria(min_rating=Grade.A3), organization, "rating").passed


# --- C3 ----------------------------------------------------------------------------------------


C3_REQUIREMENT = "慈善组织年度支出和管理费用比例达标（C3）"


def test_i1_c3_does_not_apply_to_an_organisation_that_is_not_a_charity():
    r = check(criteria(c3_within_limits=True), OrganizationFactory(), "c3")
    assert r.passed
    assert (r.requirement, r.fact, r.source, r.as_of) == (
        C3_REQUIREMENT,
        "非慈善组织，不适用",
        REGISTRY,
        today().isoformat(),
    )


def test_i1_c3_charity_without_an_accepted_report_fails():
    charity = CharityFactory()
    report(charity, today().year - 1, status="submitted")
    r = check(criteria(c3_within_limits=True), charity, "c3")
    assert not r.passed
    assert r.fact == "尚无审核通过的年度报告，无法计算支出比例"
    assert (r.source, r.as_of) == (REPORTS, today().isoformat())
    assert r.fix == "完成年度报告并通过审核。"


def test_i1_c3_charity_within_limits_passes_dated_by_the_acceptance():
    charity = CharityFactory()
    year = today().year - 2
    accepted_on = today() - days(20)
    report(
        charity,
        year,
        on=accepted_on,
        previous_year_income=Decimal("500000.00"),
        charitable_spending=Decimal("400000.00"),
    )
    r = check(criteria(c3_within_limits=True), charity, "c3")
    assert r.passed
    assert r.fact == f"{year} 年度报告：各项比例均达标"
    assert (r.source, r.as_of, r.fix) == (REPORTS, accepted_on.isoformat(), "")


def test_i1_c3_breach_fails_with_the_ratio_and_its_limit():
    charity = CharityFactory()
    year = today().year - 2
    report(
        charity,
        year,
        previous_year_income=Decimal("500000.00"),
        charitable_spending=Decimal("300000.00"),
    )
    r = check(criteria(c3_within_limits=True), charity, "c3")
    assert not r.passed
    assert r.fact == f"{year} 年度慈善活动支出比例 60.0%（下限 70.0%）"
    assert (r.source, r.as_of) == (REPORTS, today().isoformat())
    assert r.fix == "调整支出结构，在下一年度报告中达到比例要求。"


def test_i1_c3_reads_the_latest_accepted_report_only():
    charity = CharityFactory()
    breach, fine = today().year - 2, today().year - 1
    report(
        charity, breach, previous_year_income=Decimal("500000.00"), charitable_spending=Decimal("300000.00")
    )
    report(charity, fine, previous_year_income=Decimal("500000.00"), charitable_spending=Decimal("400000.00"))
    r = check(criteria(c3_within_limits=True), charity, "c3")
    assert r.passed and r.fact == f"{fine} 年度报告：各项比例均达标"


# --- Requirements, stored results and their changes ---------------------------------------------


def test_requirements_list_every_criterion_in_plain_chinese():
    programme = criteria(
        org_types=[OrgType.SOCIAL_SERVICE],
        districts=[District.HAIDIAN],
        service_fields=[ServiceField.ELDERLY],
        min_months_registered=12,
        max_months_registered=60,
        no_abnormal_listing=True,
        no_serious_listing=True,
        accepted_report_years=2,
        min_rating=Grade.A3,
        c3_within_limits=True,
    )
    assert requirements(programme) == [
        "登记状态正常",
        "组织类型为社会服务机构",
        "住所位于海淀区",
        "服务领域为养老服务",
        "成立满1 年",
        "成立不超过5 年",
        "未被列入活动异常名录",
        "未被列入严重违法失信名单",
        "近 2 年年度报告审核合格",
        "评估等级不低于 3A",
        C3_REQUIREMENT,
    ]
    # The same order as the checks, one result per requirement.
    eligibility = evaluate(programme, OrganizationFactory())
    assert [r.code for r in eligibility.results] == [
        "status",
        "org_type",
        "district",
        "service_field",
        "min_age",
        "max_age",
        "no_abnormal",
        "no_serious",
        "reports",
        "rating",
        "c3",
    ]


def test_stored_results_round_trip_and_changes_name_the_criterion_that_moved():
    organization = OrganizationFactory()
    programme = criteria(no_abnormal_listing=True, no_serious_listing=True)
    before = evaluate(programme, organization).as_json()
    assert from_json(before) == evaluate(programme, organization).results
    assert changes(before, evaluate(programme, organization).as_json()) == []

    listed_on = today() - days(2)
    make_listing(organization, listed_on=listed_on)
    after = evaluate(programme, organization).as_json()
    found = changes(before, after)
    assert [c.code for c in found] == ["no_abnormal"]
    assert found[0].requirement == "未被列入活动异常名录"
    assert (found[0].before["passed"], found[0].after["passed"]) == (True, False)
    assert found[0].after["fact"].startswith(f"自{listed_on.isoformat()}起")


def test_changes_report_criteria_added_or_dropped():
    organization = OrganizationFactory()
    before = evaluate(criteria(), organization).as_json()
    after = evaluate(criteria(no_serious_listing=True), organization).as_json()
    found = changes(before, after)
    assert [(c.code, c.before, c.after is not None) for c in found] == [("no_serious", None, True)]
    assert [c.code for c in changes(after, before)] == ["no_serious"]
