"""Credit rules S4–S8 and the early warnings, with frozen dates around every boundary."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from core.models import AppendOnlyError, EarlyWarning
from core.warnings import WarningSpec, register_warning_source, registered_sources
from orgs.credit import services
from orgs.credit import warnings as credit_warnings
from orgs.credit.models import (
    Category,
    CreditRecord,
    EntryStatus,
    ListEntry,
    ListReason,
    ListType,
    ObjectionStatus,
    Proposal,
    ProposalStatus,
    Rule,
)
from orgs.registry.models import OrgType
from orgs.reports import services as report_services
from tests.factories.accounts import UserFactory
from tests.factories.credit import at, evidence, make_listing, make_penalty, make_record, officer
from tests.factories.orgs import MembershipFactory, OrganizationFactory, submitted_report

pytestmark = pytest.mark.django_db
D = datetime.date


def proposals(org, rule):
    return list(Proposal.objects.filter(organization=org, rule=rule))


# --- S4: credit records -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("recorded_on", "late", "days"),
    [
        (D(2026, 10, 12), False, 4),  # day before the 5th working day
        (
            D(2026, 10, 13),
            False,
            5,
        ),  # the 5th working day (National Day holiday and make-up Saturday counted)
        (D(2026, 10, 14), True, 6),  # the day after
    ],
)
def test_s4_record_entered_more_than_5_working_days_after_the_decision_is_late(recorded_on, late, days):
    record = make_record(OrganizationFactory(), decided_on=D(2026, 9, 30), recorded_on=recorded_on)
    assert (record.is_late, record.late_working_days) == (late, days)


def test_s4_recording_working_days_come_from_settings(settings):
    settings.S4_RECORDING_WORKING_DAYS = 3
    record = make_record(OrganizationFactory(), decided_on=D(2026, 11, 2), recorded_on=D(2026, 11, 6))
    assert record.is_late and record.late_working_days == 4


def test_s4_records_have_five_categories():
    """One record per S4 category, each through the service, each stored under its category."""
    assert set(Category.values) == {"basic", "annual_report", "inspection", "penalty", "other"}
    org = OrganizationFactory()
    for number, category in enumerate(Category.values, start=1):
        make_record(
            org,
            category=category,
            decided_on=D(2026, 4, 20),
            number=f"京民测〔2026〕{number}号",
            summary=f"{Category(category).label}类信用信息",
            fine_amount=Decimal("10000.00") if category == Category.PENALTY else None,
        )
    stored = {r.category: r.summary for r in CreditRecord.objects.filter(organization=org)}
    assert stored == {c: f"{Category(c).label}类信用信息" for c in Category.values}


def test_s4_records_are_append_only_and_corrections_point_at_the_original():
    org = OrganizationFactory()
    original = make_record(org, summary="原始摘要")
    original.summary = "改写"
    with pytest.raises(AppendOnlyError):
        original.save()
    with pytest.raises(AppendOnlyError):
        original.delete()
    with freeze_time(at(D(2026, 5, 1))):
        correction = services.record_credit(
            org,
            category=Category.INSPECTION,
            decided_on=D(2026, 4, 20),
            summary="更正后的摘要",
            authority="北京市民政局",
            document_number="京民检〔2026〕1号",
            user=UserFactory(),
            corrects=original,
            correction_reason="摘要录入错误",
        )
        with pytest.raises(ValidationError, match="已被更正"):
            services.record_credit(
                org,
                category=Category.INSPECTION,
                decided_on=D(2026, 4, 20),
                summary="再次更正",
                authority="北京市民政局",
                document_number="x",
                user=UserFactory(),
                corrects=original,
                correction_reason="再改",
            )
    assert correction.corrects == original
    assert list(CreditRecord.objects.effective()) == [correction]
    assert CreditRecord.objects.get(pk=original.pk).summary == "原始摘要"


def test_s4_correction_needs_a_reason_and_the_same_organisation():
    original = make_record(OrganizationFactory())
    with pytest.raises(ValidationError, match="更正理由"):
        services.record_credit(
            original.organization,
            category=Category.INSPECTION,
            decided_on=D(2026, 4, 20),
            summary="s",
            authority="a",
            document_number="n",
            user=UserFactory(),
            corrects=original,
        )
    with pytest.raises(ValidationError, match="同一社会组织"):
        services.record_credit(
            OrganizationFactory(),
            category=Category.INSPECTION,
            decided_on=D(2026, 4, 20),
            summary="s",
            authority="a",
            document_number="n",
            user=UserFactory(),
            corrects=original,
            correction_reason="r",
        )


def test_s4_fine_only_on_penalties_and_decision_not_in_the_future():
    org = OrganizationFactory()
    with pytest.raises(ValidationError, match="罚款金额"):
        make_record(org, category=Category.INSPECTION, fine_amount=Decimal("100"))
    with freeze_time(at(D(2026, 4, 1))), pytest.raises(ValidationError, match="不能晚于"):
        services.record_credit(
            org,
            category=Category.BASIC,
            decided_on=D(2026, 4, 2),
            summary="s",
            authority="a",
            document_number="n",
            user=UserFactory(),
        )


# --- S5: abnormal list ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"), [(D(2026, 5, 30), 0), (D(2026, 5, 31), 0), (D(2026, 6, 1), 1)]
)
def test_s5_abnormal_listing_proposed_the_day_after_the_deadline(today, expected):
    org = OrganizationFactory()  # a social group without a supervising unit: 2025 report due 31 May 2026
    services.run_rules(today)
    found = [p for p in proposals(org, Rule.S5_LIST_OVERDUE_REPORT) if p.report_year == 2025]
    assert len(found) == expected
    if found:
        proposal = found[0]
        assert proposal.list_type == ListType.ABNORMAL and proposal.reason == ListReason.REPORT_NOT_FILED
        assert proposal.facts["deadline"] == "2026-05-31" and proposal.facts["report_status"] == "未开始填报"
        assert proposal.status == ProposalStatus.PENDING


def test_s5_foundation_overdue_after_31_march():
    foundation = OrganizationFactory(org_type=OrgType.FOUNDATION)
    services.run_rules(D(2026, 3, 31))
    assert not [p for p in proposals(foundation, Rule.S5_LIST_OVERDUE_REPORT) if p.report_year == 2025]
    services.run_rules(D(2026, 4, 1))
    assert [p for p in proposals(foundation, Rule.S5_LIST_OVERDUE_REPORT) if p.report_year == 2025]


def test_s5_filed_reports_and_deregistered_organisations_are_not_proposed():
    filed = OrganizationFactory()
    with freeze_time(at(D(2026, 5, 20))):
        submitted_report(filed, 2025)
        submitted_report(filed, 2024)
    gone = OrganizationFactory(status="deregistered")
    services.run_rules(D(2026, 6, 1))
    assert proposals(filed, Rule.S5_LIST_OVERDUE_REPORT) == []
    assert proposals(gone, Rule.S5_LIST_OVERDUE_REPORT) == []


def test_s5_proposals_are_created_once_not_every_day():
    org = OrganizationFactory()
    for day in (D(2026, 6, 1), D(2026, 6, 2), D(2026, 6, 3)):
        result = services.run_rules(day)
        assert (day == D(2026, 6, 1)) == any(p.organization_id == org.pk for p in result.created)
    assert len([p for p in proposals(org, Rule.S5_LIST_OVERDUE_REPORT) if p.report_year == 2025]) == 1


def test_s5_rejected_proposal_stays_rejected_unless_the_facts_change():
    org = OrganizationFactory()
    bureau = officer()
    with freeze_time(at(D(2026, 6, 1))):
        services.run_rules(D(2026, 6, 1))
        proposal = Proposal.objects.get(organization=org, report_year=2025)
        with pytest.raises(ValidationError, match="驳回理由"):
            services.reject_proposal(proposal, user=bureau, reason=" ")
        services.reject_proposal(proposal, user=bureau, reason="该会已提交延期报送申请")
    for day in (D(2026, 6, 2), D(2026, 6, 10)):
        services.run_rules(day)
    assert [p.status for p in Proposal.objects.filter(organization=org, report_year=2025)] == ["rejected"]
    # The facts change: the report is filed late, returned, and the resubmission deadline passes.
    with freeze_time(at(D(2026, 6, 15))):
        report, _submission = submitted_report(org, 2025)
        deadline = report_services.return_report(
            report, reasons="缺少审计报告", user=bureau, today=D(2026, 6, 15)
        )
    services.run_rules(deadline)
    assert Proposal.objects.filter(organization=org, report_year=2025).count() == 1
    services.run_rules(deadline + datetime.timedelta(days=1))
    found = Proposal.objects.filter(organization=org, report_year=2025).order_by("pk")
    assert [p.status for p in found] == ["rejected", "pending"]
    assert found[1].facts["deadline"] == deadline.isoformat()


def test_s5_pending_proposal_is_withdrawn_when_the_report_is_filed():
    org = OrganizationFactory()
    services.run_rules(D(2026, 6, 1))
    with freeze_time(at(D(2026, 6, 2))):
        submitted_report(org, 2025)
    result = services.run_rules(D(2026, 6, 2))
    proposal = Proposal.objects.get(organization=org, report_year=2025)
    assert proposal.status == ProposalStatus.WITHDRAWN and proposal in result.withdrawn


def test_s5_confirmed_proposal_lists_the_organisation_with_reason_date_and_number():
    org = OrganizationFactory()
    bureau = officer()
    services.run_rules(D(2026, 6, 1))
    proposal = Proposal.objects.get(organization=org, report_year=2025)
    with freeze_time(at(D(2026, 6, 3))):
        services.confirm_proposal(
            proposal, user=bureau, reason="逾期未报", document_number="京民异〔2026〕1号"
        )
    entry = ListEntry.objects.get(organization=org)
    assert (entry.list_type, entry.reason, entry.report_year) == (
        ListType.ABNORMAL,
        ListReason.REPORT_NOT_FILED,
        2025,
    )
    assert entry.listed_on == D(2026, 6, 3) and entry.document_number == "京民异〔2026〕1号"
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONFIRMED and proposal.result_entry == entry
    # Listed: no further proposal for the same report.
    services.run_rules(D(2026, 6, 4))
    assert Proposal.objects.filter(organization=org, report_year=2025).count() == 1


def test_s5_removal_proposed_the_day_the_report_is_filed_due_within_5_working_days():
    org = OrganizationFactory()
    make_listing(org, listed_on=D(2026, 6, 3), reason=ListReason.REPORT_NOT_FILED, report_year=2025)
    services.run_rules(D(2026, 7, 2))  # the day before the fix
    assert proposals(org, Rule.S5_REMOVE_FIXED) == []
    with freeze_time(at(D(2026, 7, 3))):  # a Friday: the report is filed
        submitted_report(org, 2025)
    services.run_rules(D(2026, 7, 3))
    services.run_rules(D(2026, 7, 4))  # the day after: still the same single proposal
    (proposal,) = proposals(org, Rule.S5_REMOVE_FIXED)
    assert proposal.proposed_on == D(2026, 7, 3) and proposal.facts["fixed_on"] == "2026-07-03"
    assert proposal.due_on == D(2026, 7, 10)  # 5 working days after the fix


def test_s5_removal_due_skips_holidays(settings):
    org = OrganizationFactory()
    make_listing(org, listed_on=D(2026, 6, 3), reason=ListReason.REPORT_NOT_FILED, report_year=2025)
    with freeze_time(at(D(2026, 9, 30))):
        submitted_report(org, 2025)
    services.run_rules(D(2026, 9, 30))
    assert proposals(org, Rule.S5_REMOVE_FIXED)[0].due_on == D(2026, 10, 13)


@pytest.mark.parametrize(
    ("today", "expected"), [(D(2026, 7, 14), 0), (D(2026, 7, 15), 1), (D(2026, 7, 16), 1)]
)
def test_s5_listing_that_needed_no_fix_proposed_for_removal_after_6_months(today, expected):
    org = OrganizationFactory()
    make_listing(org, listed_on=D(2026, 1, 15), reason=ListReason.WARNING_OR_SMALL_FINE)
    services.run_rules(D(2026, 7, 15)) if today == D(2026, 7, 16) else None
    services.run_rules(today)
    assert len(proposals(org, Rule.S5_REMOVE_SIX_MONTHS)) == expected


def test_s5_unreachable_listing_needs_a_fix_so_no_automatic_removal():
    org = OrganizationFactory()
    make_listing(org, listed_on=D(2026, 1, 15), reason=ListReason.UNREACHABLE)
    services.run_rules(D(2026, 12, 1))
    assert proposals(org, Rule.S5_REMOVE_SIX_MONTHS) == []


def test_s5_auto_removal_months_come_from_settings(settings):
    settings.S5_AUTO_REMOVAL_MONTHS = 3
    org = OrganizationFactory()
    make_listing(org, listed_on=D(2026, 1, 15), reason=ListReason.FUNDRAISING_REVOKED)
    services.run_rules(D(2026, 4, 15))
    assert len(proposals(org, Rule.S5_REMOVE_SIX_MONTHS)) == 1


def test_s5_confirming_a_removal_removes_the_listing():
    org = OrganizationFactory()
    entry = make_listing(org, listed_on=D(2026, 1, 15), reason=ListReason.WARNING_OR_SMALL_FINE)
    services.run_rules(D(2026, 7, 15))
    with freeze_time(at(D(2026, 7, 16))):
        services.confirm_proposal(
            proposals(org, Rule.S5_REMOVE_SIX_MONTHS)[0],
            user=officer(),
            reason="满6个月",
            document_number="京民移〔2026〕1号",
        )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REMOVED and entry.removed_on == D(2026, 7, 16)
    assert entry.removal_reason == "six_months" and entry.removal_document_number == "京民移〔2026〕1号"


def test_s5_reason_must_come_from_the_lists_reasons():
    with freeze_time(at(D(2026, 3, 1))), pytest.raises(ValidationError, match="不是活动异常名录的列入事由"):
        services.list_organization(
            OrganizationFactory(),
            list_type=ListType.ABNORMAL,
            reason=ListReason.JUDGMENT_DEFAULTER,
            listed_on=D(2026, 3, 1),
            document_number="n",
            user=UserFactory(),
        )


def test_s5_listing_columns_are_history():
    entry = make_listing(OrganizationFactory(), listed_on=D(2026, 1, 15))
    entry.reason = ListReason.WARNING_OR_SMALL_FINE
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        ListEntry.objects.get(pk=entry.pk).delete()


# --- S6: serious list ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"), [(D(2026, 3, 9), 0), (D(2026, 3, 10), 1), (D(2026, 3, 11), 1)]
)
def test_s6_two_years_on_the_abnormal_list_proposes_the_serious_list(today, expected):
    org = OrganizationFactory()
    make_listing(org, listed_on=D(2024, 3, 10), reason=ListReason.UNREACHABLE)
    if today == D(2026, 3, 11):
        services.run_rules(D(2026, 3, 10))
    services.run_rules(today)
    found = proposals(org, Rule.S6_LIST_TWO_YEARS)
    assert len(found) == expected
    if found:
        assert found[0].list_type == ListType.SERIOUS and found[0].reason == ListReason.ABNORMAL_TWO_YEARS
        assert found[0].facts["listed_on"] == "2024-03-10"


def test_s6_confirmed_move_lists_seriously_and_closes_the_abnormal_listing():
    org = OrganizationFactory()
    abnormal = make_listing(org, listed_on=D(2024, 3, 10), reason=ListReason.UNREACHABLE)
    services.run_rules(D(2026, 3, 10))
    with freeze_time(at(D(2026, 3, 12))):
        services.confirm_proposal(
            proposals(org, Rule.S6_LIST_TWO_YEARS)[0],
            user=officer(),
            reason="满2年",
            document_number="京民失〔2026〕1号",
        )
    serious = ListEntry.objects.get(organization=org, list_type=ListType.SERIOUS)
    assert serious.from_entry == abnormal and serious.listed_on == D(2026, 3, 12)
    abnormal.refresh_from_db()
    assert abnormal.status == EntryStatus.REMOVED and abnormal.removal_reason == "moved_to_serious"
    services.run_rules(D(2026, 3, 13))
    assert len(proposals(org, Rule.S6_LIST_TWO_YEARS)) == 1


@pytest.mark.parametrize(("today", "expected"), [(D(2026, 3, 31), 0), (D(2026, 4, 1), 1), (D(2026, 4, 2), 1)])
def test_s6_removal_proposed_after_2_years_with_no_new_listing(today, expected):
    org = OrganizationFactory()
    make_listing(
        org, listed_on=D(2024, 4, 1), list_type=ListType.SERIOUS, reason=ListReason.SUSPENSION_ORDERED
    )
    services.run_rules(today)
    assert len(proposals(org, Rule.S6_REMOVE_TWO_YEARS)) == expected


def test_s6_a_new_listing_restarts_the_2_year_clock():
    org = OrganizationFactory()
    make_listing(
        org, listed_on=D(2024, 4, 1), list_type=ListType.SERIOUS, reason=ListReason.SUSPENSION_ORDERED
    )
    make_listing(org, listed_on=D(2025, 1, 10), reason=ListReason.UNREACHABLE)
    services.run_rules(D(2026, 4, 1))
    assert proposals(org, Rule.S6_REMOVE_TWO_YEARS) == []
    services.run_rules(D(2027, 1, 10))
    assert [p.facts["latest_listing"] for p in proposals(org, Rule.S6_REMOVE_TWO_YEARS)] == ["2025-01-10"]


def test_s6_years_come_from_settings(settings):
    settings.S6_ABNORMAL_YEARS_TO_SERIOUS = 1
    org = OrganizationFactory()
    make_listing(org, listed_on=D(2025, 3, 10), reason=ListReason.UNREACHABLE)
    services.run_rules(D(2026, 3, 10))
    assert len(proposals(org, Rule.S6_LIST_TWO_YEARS)) == 1


@pytest.mark.parametrize(
    ("fine", "rule"),
    [
        (None, Rule.S5_LIST_PENALTY),
        (Decimal("49999.99"), Rule.S5_LIST_PENALTY),
        (Decimal("50000.00"), Rule.S6_LIST_PENALTY),
        (Decimal("50000.01"), Rule.S6_LIST_PENALTY),
    ],
)
def test_s5_s6_a_penalty_proposes_the_list_its_fine_calls_for(fine, rule):
    org = OrganizationFactory()
    record = make_penalty(org, decided_on=D(2026, 3, 2), fine=fine)
    services.run_rules(D(2026, 3, 2))
    services.run_rules(D(2026, 3, 3))
    (proposal,) = Proposal.objects.filter(
        organization=org, rule__in=[Rule.S5_LIST_PENALTY, Rule.S6_LIST_PENALTY]
    )
    assert proposal.rule == rule and record.document_number in proposal.facts["records"]
    expected = (
        ListReason.WARNING_OR_SMALL_FINE if rule == Rule.S5_LIST_PENALTY else ListReason.LARGE_FINE_OR_REPEAT
    )
    assert proposal.reason == expected


@pytest.mark.parametrize(
    ("first", "serious"), [(D(2023, 5, 30), False), (D(2023, 5, 31), False), (D(2023, 6, 1), True)]
)
def test_s6_two_penalties_within_3_years_propose_the_serious_list(first, serious):
    org = OrganizationFactory()
    make_penalty(org, decided_on=first, fine=None)
    with freeze_time(at(D(2026, 5, 31))):
        make_record(org, category=Category.PENALTY, decided_on=D(2026, 5, 31), number="第二次处罚")
    services.run_rules(D(2026, 5, 31))
    found = Proposal.objects.filter(organization=org, rule=Rule.S6_LIST_PENALTY)
    assert found.exists() == serious
    if serious:
        assert found.get().facts["penalties_within_years"] == 2


def test_s5_penalty_already_followed_by_a_listing_is_not_proposed():
    org = OrganizationFactory()
    make_penalty(org, decided_on=D(2026, 3, 2), fine=Decimal("1000.00"))
    make_listing(org, listed_on=D(2026, 3, 5), reason=ListReason.WARNING_OR_SMALL_FINE)
    services.run_rules(D(2026, 3, 6))
    assert not Proposal.objects.filter(organization=org, rule=Rule.S5_LIST_PENALTY).exists()


def test_s5_small_fine_limit_comes_from_settings(settings):
    settings.S5_SMALL_FINE_LIMIT = Decimal("100000")
    org = OrganizationFactory()
    make_penalty(org, decided_on=D(2026, 3, 2), fine=Decimal("80000.00"))
    services.run_rules(D(2026, 3, 2))
    assert Proposal.objects.get(
        organization=org, rule__in=[Rule.S5_LIST_PENALTY, Rule.S6_LIST_PENALTY]
    ).rule == (Rule.S5_LIST_PENALTY)


# --- S7: ratings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("1000", 5),
        ("950", 5),
        ("949.9", 4),
        ("850", 4),
        ("849.9", 3),
        ("750", 3),
        ("650", 2),
        ("600", 1),
        ("599.9", None),
    ],
)
def test_s7_grade_from_score_5a_needs_at_least_950(score, grade):
    assert services.grade_for(Decimal(score)) == grade


def test_s7_thresholds_come_from_settings(settings):
    settings.S7_GRADE_THRESHOLDS = ((5, Decimal("900")), (4, Decimal("800")), (1, Decimal("100")))
    assert services.grade_for(Decimal("900")) == 5


def eligible_org():
    org = OrganizationFactory()
    with freeze_time(at(D(2026, 5, 10))):
        submitted_report(org, 2025)
    return org


def test_s7_rating_is_valid_for_5_years_and_then_shown_expired():
    org = eligible_org()
    with freeze_time(at(D(2026, 6, 1))):
        rating = services.rate(
            org,
            score=Decimal("955"),
            evaluating_body="北京市社会组织评估委员会",
            rated_on=D(2026, 6, 1),
            user=officer(),
        )
    assert rating.grade == 5 and rating.expires_on == D(2031, 5, 31)
    assert not rating.is_expired(D(2031, 5, 30))
    assert not rating.is_expired(D(2031, 5, 31))
    assert rating.is_expired(D(2031, 6, 1))


def test_s7_organisation_without_the_annual_report_is_refused_with_the_reason():
    org = OrganizationFactory()
    with freeze_time(at(D(2026, 6, 1))), pytest.raises(ValidationError) as error:
        services.rate(
            org, score=Decimal("900"), evaluating_body="评估委员会", rated_on=D(2026, 6, 1), user=officer()
        )
    assert "未报送2025年度工作报告" in " ".join(error.value.messages)


def test_s7_report_not_yet_due_does_not_make_an_organisation_ineligible():
    org = OrganizationFactory()
    with freeze_time(at(D(2025, 5, 10))):
        submitted_report(org, 2024)
    assert services.ineligibility_reasons(org, D(2026, 5, 31)) == []  # 2025 report due that day
    assert services.ineligibility_reasons(org, D(2026, 6, 1)) == ["未报送2025年度工作报告。"]


def test_s7_penalty_or_listing_makes_an_organisation_ineligible():
    org = eligible_org()
    make_penalty(org, decided_on=D(2026, 5, 20))
    make_listing(org, listed_on=D(2026, 5, 25), reason=ListReason.UNREACHABLE)
    reasons = services.ineligibility_reasons(org, D(2026, 6, 1))
    assert any("受到行政处罚" in r for r in reasons) and any("活动异常名录" in r for r in reasons)
    with freeze_time(at(D(2026, 6, 1))), pytest.raises(ValidationError, match="不符合参加等级评估的条件"):
        services.rate(
            org, score=Decimal("900"), evaluating_body="评估委员会", rated_on=D(2026, 6, 1), user=officer()
        )


def test_s7_score_below_1a_is_refused():
    org = eligible_org()
    with freeze_time(at(D(2026, 6, 1))), pytest.raises(ValidationError, match="低于 1A"):
        services.rate(
            org, score=Decimal("500"), evaluating_body="评估委员会", rated_on=D(2026, 6, 1), user=officer()
        )


# --- S8: objections -------------------------------------------------------------------------------


def test_s8_objection_upheld_corrects_the_record_and_keeps_the_original():
    member = MembershipFactory()
    record = make_record(member.organization, summary="结论：不合格")
    objection = services.file_objection(
        record, user=member.user, grounds="结论应为基本合格", evidence=evidence()
    )
    assert objection.status == ObjectionStatus.PENDING and objection.evidence_name == "证明材料.pdf"
    with pytest.raises(ValidationError, match="待处理的异议"):
        services.file_objection(record, user=member.user, grounds="再次", evidence=evidence())
    services.uphold_objection(objection, user=officer(), reason="经复核录入错误", summary="结论：基本合格")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    correction = objection.correction
    assert correction.corrects == record and correction.summary == "结论：基本合格"
    assert "经复核录入错误" in correction.correction_reason
    assert CreditRecord.objects.get(pk=record.pk).summary == "结论：不合格"
    assert list(CreditRecord.objects.filter(organization=member.organization).effective()) == [correction]


def test_s8_objection_dismissed_keeps_the_record():
    member = MembershipFactory()
    record = make_record(member.organization)
    objection = services.file_objection(record, user=member.user, grounds="不认可", evidence=evidence())
    with pytest.raises(ValidationError, match="处理理由"):
        services.dismiss_objection(objection, user=officer(), reason="")
    services.dismiss_objection(objection, user=officer(), reason="证据不足")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.DISMISSED and objection.decision_reason == "证据不足"
    assert objection.correction is None and not record.corrections.exists()
    with pytest.raises(ValidationError, match="已处理"):
        services.uphold_objection(objection, user=officer(), reason="r", summary="s")


def test_s8_only_members_object_with_evidence():
    record = make_record(OrganizationFactory())
    with pytest.raises(ValidationError, match="本机构成员"):
        services.file_objection(record, user=MembershipFactory().user, grounds="g", evidence=evidence())
    member = MembershipFactory(organization=record.organization)
    with pytest.raises(ValidationError) as error:
        services.file_objection(record, user=member.user, grounds="g", evidence=None)
    assert "请上传证明材料" in str(error.value)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        services.file_objection(
            record, user=member.user, grounds="g", evidence=SimpleUploadedFile("x.pdf", b"not a pdf")
        )


# --- Early warnings ---------------------------------------------------------------------------------


def open_warnings(kind, org=None):
    queryset = EarlyWarning.objects.open().filter(kind=kind)
    return list(queryset.filter(organisation_uscc=org.uscc) if org else queryset)


def test_warning_sources_are_registered():
    assert {
        credit_warnings.REPORT_DUE,
        credit_warnings.REPORT_OVERDUE,
        credit_warnings.SERIOUS_CLOCK,
        credit_warnings.RATING_EXPIRING,
        credit_warnings.SPENDING_RATIO,
    } <= set(registered_sources())


@pytest.mark.parametrize(
    ("today", "expected"), [(D(2026, 4, 30), 0), (D(2026, 5, 1), 1), (D(2026, 5, 31), 1)]
)
def test_warning_report_due_within_30_days(today, expected):
    org = OrganizationFactory()
    EarlyWarning.objects.refresh(today)
    found = [w for w in open_warnings(credit_warnings.REPORT_DUE, org) if w.detail_key == "2025"]
    assert len(found) == expected
    if found:
        assert found[0].deadline == D(2026, 5, 31) and "2025年度" in found[0].reason and found[0].how_to_clear


def test_warning_report_overdue_opens_then_clears_when_filed_without_duplicates():
    org = OrganizationFactory()
    EarlyWarning.objects.refresh(D(2026, 5, 31))
    assert not [w for w in open_warnings(credit_warnings.REPORT_OVERDUE, org) if w.detail_key == "2025"]
    due = [w for w in open_warnings(credit_warnings.REPORT_DUE, org) if w.detail_key == "2025"][0]
    result = EarlyWarning.objects.refresh(D(2026, 6, 1))
    overdue = [w for w in open_warnings(credit_warnings.REPORT_OVERDUE, org) if w.detail_key == "2025"]
    assert len(overdue) == 1 and overdue[0].raised_on == D(2026, 6, 1)
    due.refresh_from_db()
    assert due.cleared_on == D(2026, 6, 1) and due in result.cleared
    EarlyWarning.objects.refresh(D(2026, 6, 2))
    again = EarlyWarning.objects.filter(
        kind=credit_warnings.REPORT_OVERDUE, organisation_uscc=org.uscc, detail_key="2025"
    )
    assert again.count() == 1 and again.get().last_seen_on == D(2026, 6, 2)
    with freeze_time(at(D(2026, 6, 5))):
        submitted_report(org, 2025)
    EarlyWarning.objects.refresh(D(2026, 6, 5))
    assert again.get().cleared_on == D(2026, 6, 5)


def test_warnings_are_stored_in_chinese_and_read_in_the_reader_language():
    from django.utils import translation

    org = OrganizationFactory()
    with translation.override("en"):  # the language the refresh runs in does not matter
        EarlyWarning.objects.refresh(D(2026, 6, 1))
    (warning,) = [w for w in open_warnings(credit_warnings.REPORT_OVERDUE, org) if w.detail_key == "2025"]
    assert "2025年度工作报告已逾期" in warning.reason
    assert "年度" in warning.how_to_clear
    with translation.override("en"):
        assert "annual report is overdue" in warning.reason_text
        assert "年" not in warning.how_to_clear_text
    with translation.override("zh-hans"):
        assert warning.reason_text == warning.reason


def test_warning_two_year_clock_on_the_abnormal_list():
    org = OrganizationFactory()
    entry = make_listing(org, listed_on=D(2026, 1, 15), reason=ListReason.UNREACHABLE)
    EarlyWarning.objects.refresh(D(2026, 2, 1))
    (warning,) = open_warnings(credit_warnings.SERIOUS_CLOCK, org)
    assert warning.deadline == D(2028, 1, 15) and warning.subject == entry
    assert "严重违法失信名单" in warning.reason and "住所" in warning.how_to_clear
    with freeze_time(at(D(2026, 3, 1))):
        services.remove_entry(
            entry, removed_on=D(2026, 3, 1), removal_reason="fixed", document_number="n", user=officer()
        )
    EarlyWarning.objects.refresh(D(2026, 3, 1))
    assert open_warnings(credit_warnings.SERIOUS_CLOCK, org) == []


@pytest.mark.parametrize(
    ("today", "expected"), [(D(2031, 3, 1), 0), (D(2031, 3, 2), 1), (D(2031, 5, 31), 1), (D(2031, 6, 1), 0)]
)
def test_warning_rating_expiring_within_90_days(today, expected):
    org = eligible_org()
    with freeze_time(at(D(2026, 6, 1))):
        services.rate(
            org, score=Decimal("955"), evaluating_body="评估委员会", rated_on=D(2026, 6, 1), user=officer()
        )
    EarlyWarning.objects.refresh(today)  # expires 2031-05-31: 90 days before is 2031-03-02
    found = open_warnings(credit_warnings.RATING_EXPIRING, org)
    assert len(found) == expected
    if found:
        assert found[0].deadline == D(2031, 5, 31) and "5A" in found[0].reason


def test_warning_breached_spending_ratio():
    foundation = OrganizationFactory(
        org_type=OrgType.FOUNDATION, charity_recognized_on=D(2018, 1, 1), public_fundraising=True
    )
    with freeze_time(at(D(2026, 3, 10))):
        submitted_report(
            foundation,
            2025,
            previous_year_income=Decimal("2000000.00"),
            charitable_spending=Decimal("100000.00"),
        )
    EarlyWarning.objects.refresh(D(2026, 4, 1))
    (warning,) = open_warnings(credit_warnings.SPENDING_RATIO, foundation)
    assert "慈善活动支出比例" in warning.reason and "5.0%" in warning.reason
    assert warning.deadline == D(2027, 3, 31)


def test_refresh_keeps_one_open_warning_per_subject_and_only_clears_kinds_that_ran():
    org = OrganizationFactory()
    produced = {"on": True}

    def source(today):
        if produced["on"]:
            yield WarningSpec(
                subject=org,
                reason=f"测试原因 {today}",
                deadline=today,
                how_to_clear="处理",
                organisation_uscc=org.uscc,
            )

    register_warning_source("test.kind", "测试预警", source)
    try:
        first = EarlyWarning.objects.refresh(D(2026, 1, 1), kinds={"test.kind"})
        second = EarlyWarning.objects.refresh(D(2026, 1, 2), kinds={"test.kind"})
        assert len(first.opened) == 1 and len(second.kept) == 1 and not second.opened
        warning = EarlyWarning.objects.get(kind="test.kind")
        assert warning.reason == "测试原因 2026-01-02" and warning.raised_on == D(2026, 1, 1)
        produced["on"] = False
        EarlyWarning.objects.refresh(D(2026, 1, 3), kinds={"other.kind"})
        assert EarlyWarning.objects.get(kind="test.kind").cleared_on is None
        EarlyWarning.objects.refresh(D(2026, 1, 3), kinds={"test.kind"})
        assert EarlyWarning.objects.get(kind="test.kind").cleared_on == D(2026, 1, 3)
        produced["on"] = True
        EarlyWarning.objects.refresh(D(2026, 1, 4), kinds={"test.kind"})
        assert EarlyWarning.objects.filter(kind="test.kind").count() == 2  # history kept, a new one opened
    finally:
        from core import warnings as registry

        registry._sources.pop("test.kind", None)


# --- The daily job ---------------------------------------------------------------------------------


def test_daily_task_and_command_compute_proposals_and_warnings():
    from django.core.management import call_command

    from orgs.credit.tasks import run_credit_rules_task

    org = OrganizationFactory()
    result = run_credit_rules_task.enqueue("2026-06-01")
    assert result.return_value["proposals_created"] >= 1 and result.return_value["warnings_opened"] >= 1
    assert Proposal.objects.filter(organization=org, report_year=2025).count() == 1
    out = io.StringIO()
    call_command("run_credit_rules", "--date", "2026-06-02", stdout=out)
    assert "proposals created 0" in out.getvalue()
    assert Proposal.objects.filter(organization=org, report_year=2025).count() == 1
    assert (
        EarlyWarning.objects.open()
        .filter(organisation_uscc=org.uscc, kind=credit_warnings.REPORT_OVERDUE, detail_key="2025")
        .count()
        == 1
    )


def test_rules_run_in_a_constant_number_of_queries(django_assert_max_num_queries):
    for _ in range(3):
        OrganizationFactory()
    services.run_rules(D(2026, 6, 1))  # first run creates proposals
    with django_assert_max_num_queries(12):
        services.run_rules(D(2026, 6, 2))
    for _ in range(12):
        OrganizationFactory()
    services.run_rules(D(2026, 6, 2))
    with django_assert_max_num_queries(12):
        services.run_rules(D(2026, 6, 3))


def test_s8_upholding_an_objection_without_changing_the_record_is_refused():
    """Issue 23, point 7: an upheld objection must correct something; otherwise it is a dismissal."""
    member = MembershipFactory()
    record = make_record(member.organization, summary="结论：不合格")
    objection = services.file_objection(record, user=member.user, grounds="结论有误", evidence=evidence())
    with pytest.raises(ValidationError, match="驳回异议"):
        services.uphold_objection(objection, user=officer(), reason="经复核", summary="结论：不合格")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING and not record.corrections.exists()
    # Changing the category alone is a correction.
    services.uphold_objection(
        objection, user=officer(), reason="经复核", summary="结论：不合格", category=Category.OTHER
    )
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD and objection.correction.category == Category.OTHER
