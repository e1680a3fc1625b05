"""Annual report rules: S2 deadlines, S3 working days, validation, C3, immutability, receipts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from core import dates as workdays
from orgs.registry.models import OrgType
from orgs.reports import services
from orgs.reports.models import (
    AnnualReport,
    AttachmentKind,
    CalendarDay,
    Conclusion,
    ImmutableRecord,
    ReportStatus,
    ReportSubmission,
    ReviewDecision,
)
from tests.factories.accounts import UserFactory
from tests.factories.orgs import (
    PNG_BYTES,
    OrganizationFactory,
    SupervisingUnitFactory,
    attach_required,
    balanced_figures,
    make_report,
    pdf_bytes,
    submitted_report,
    upload,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"


# --- S2 ------------------------------------------------------------------------------


def test_s2_foundation_files_by_31_march():
    foundation = OrganizationFactory(org_type=OrgType.FOUNDATION)
    dates = services.deadlines_for(foundation, 2025)
    assert dates.registration == D(2026, 3, 31) and dates.supervisor is None


def test_s2_supervised_organisation_files_to_its_unit_by_31_march_and_registry_by_31_may():
    org = OrganizationFactory(org_type=OrgType.SOCIAL_SERVICE, supervising_unit=SupervisingUnitFactory())
    dates = services.deadlines_for(org, 2025)
    assert dates.supervisor == D(2026, 3, 31) and dates.registration == D(2026, 5, 31)


def test_s2_other_organisations_file_by_31_may():
    for org_type in (OrgType.SOCIAL_GROUP, OrgType.SOCIAL_SERVICE):
        dates = services.deadlines_for(OrganizationFactory(org_type=org_type), 2025)
        assert dates == services.Deadlines(registration=D(2026, 5, 31), supervisor=None)


def test_s2_deadlines_come_from_settings(settings):
    settings.S2_REGISTRATION_DEADLINE = (6, 30)
    assert services.deadlines_for(OrganizationFactory(), 2025).registration == D(2026, 6, 30)


def test_s2_report_stores_its_deadline_and_counts_down():
    org = OrganizationFactory()
    with freeze_time("2026-05-21 09:00:00+08:00"):
        report = services.start_report(org, 2025, user=UserFactory())
        assert report.deadline == D(2026, 5, 31)
        assert services.countdown(report) == {"days": 10, "overdue": False, "deadline": D(2026, 5, 31)}
    with freeze_time("2026-06-03 09:00:00+08:00"):
        assert services.countdown(report)["overdue"] is True and services.countdown(report)["days"] == 3


def test_s2_late_submission_is_accepted_but_marked_late():
    org = OrganizationFactory()
    user = UserFactory()
    with freeze_time("2026-05-31 23:30:00+08:00"):
        on_time, _ = submitted_report(org, 2025, user=user)
    assert on_time.is_late is False
    other = OrganizationFactory()
    with freeze_time("2026-06-01 08:00:00+08:00"):
        late, submission = submitted_report(other, 2025, user=user)
    assert late.status == ReportStatus.SUBMITTED and late.is_late and submission.is_late


# --- S3 and the working-day calendar -----------------------------------------------------


def test_s3_calendar_is_seeded_for_2025_to_2027():
    assert CalendarDay.objects.get(date=D(2026, 2, 14)).kind == "workday"  # Spring Festival make-up day
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).kind == "holiday"
    assert CalendarDay.objects.filter(date__year=2025, kind="holiday").count() == 28
    assert CalendarDay.objects.filter(date__year=2027).exists()
    assert (
        CalendarDay.objects.filter(date__year=2027, provisional=True).count()
        == CalendarDay.objects.filter(date__year=2027).count()
    )


def test_s3_working_days_across_a_holiday_and_a_make_up_day():
    # 2026-09-30 (Wed) + 5 working days: National Day 1–7 Oct are holidays, Sat 10 Oct is a
    # make-up working day: 8 Oct, 9 Oct, 10 Oct, 12 Oct, 13 Oct.
    assert workdays.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert workdays.is_working_day(D(2026, 10, 10)) and not workdays.is_working_day(D(2026, 10, 5))
    assert workdays.is_working_day(D(2026, 9, 20))  # Sunday make-up day
    assert workdays.working_days_between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert workdays.working_days_between(D(2026, 10, 13), D(2026, 9, 30)) == -5


def test_s3_resubmission_deadline_skips_holiday():
    org = OrganizationFactory()
    with freeze_time("2026-05-20 10:00:00+08:00"):
        report, _ = submitted_report(org, 2025)
    with freeze_time("2026-09-30 10:00:00+08:00"):
        deadline = services.return_report(
            report, reasons="缺少审计报告签章页", user=UserFactory(is_staff=True)
        )
    assert deadline == D(2026, 10, 13)
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.resubmit_deadline == D(2026, 10, 13)


def test_s3_resubmit_working_days_come_from_settings(settings):
    settings.S3_RESUBMIT_WORKING_DAYS = 1
    org = OrganizationFactory()
    with freeze_time("2026-05-20 10:00:00+08:00"):
        report, _ = submitted_report(org, 2025)
    with freeze_time("2026-09-30 10:00:00+08:00"):
        assert services.return_report(report, reasons="补正", user=UserFactory()) == D(2026, 10, 8)


def test_s3_review_due_is_ten_working_days_after_submission():
    org = OrganizationFactory()
    with freeze_time("2026-09-28 10:00:00+08:00"):  # Monday before National Day
        report, _ = submitted_report(org, 2025)
    # 29, 30 Sep, then 8, 9, 10 (Sat make-up), 12, 13, 14, 15, 16 Oct.
    assert report.review_due == D(2026, 10, 16)


def test_s3_bureau_edits_to_the_calendar_take_effect():
    assert workdays.add_working_days(D(2026, 11, 30), 1) == D(2026, 12, 1)
    CalendarDay.objects.create(date=D(2026, 12, 1), kind="holiday", name="测试假日")
    assert workdays.add_working_days(D(2026, 11, 30), 1) == D(2026, 12, 2)


def test_make_up_workday_must_be_a_weekend():
    day = CalendarDay(date=D(2026, 12, 2), kind="workday", name="错误")
    with pytest.raises(ValidationError) as info:
        day.full_clean()
    assert "调休上班日应为周六或周日" in str(info.value)


# --- Validation --------------------------------------------------------------------------


def errors_for(org=None, **overrides):
    org = org or OrganizationFactory()
    return services.content_errors(balanced_figures(**overrides), org)


def test_balanced_report_has_no_errors():
    assert errors_for() == {}


def test_unbalanced_balance_sheet_is_an_error_on_total_assets():
    errors = errors_for(total_assets=Decimal("999999.00"))
    assert list(errors) == ["total_assets"]
    assert errors["total_assets"] == [
        "资产负债表不平衡：资产总计 999,999.00 元应等于负债合计与净资产之和 1,000,000.00 元。"
    ]


def test_income_total_must_add_up():
    errors = errors_for(income_total=Decimal("500001.00"))
    assert (
        list(errors) == ["income_total"] and "与各项收入之和 500,000.00 元不一致" in errors["income_total"][0]
    )


def test_expense_total_must_add_up():
    errors = errors_for(expense_other=Decimal("1.00"))
    assert (
        list(errors) == ["expense_total"]
        and "与各项费用之和 440,001.00 元不一致" in errors["expense_total"][0]
    )


def test_negative_amounts_are_refused():
    errors = errors_for(income_other=Decimal("-5000.00"), income_investment=Decimal("15000.00"))
    assert errors["income_other"] == ["金额不能为负数。"]


def test_basic_information_must_be_confirmed():
    assert errors_for(basic_info_confirmed=False)["basic_info_confirmed"] == ["请核对登记信息后勾选确认。"]


def test_charity_without_public_fundraising_cannot_report_public_fundraising_income():
    charity = OrganizationFactory(charity_recognized_on=D(2020, 1, 1))
    errors = errors_for(charity, public_fundraising_income=Decimal("1000.00"))
    assert errors["public_fundraising_income"] == ["本机构不具有公开募捐资格，公开募捐收入应为 0。"]


def test_declaration_is_always_required_and_audit_report_for_foundations_and_public_charities():
    assert services.required_attachment_kinds(OrganizationFactory()) == [AttachmentKind.DECLARATION]
    foundation = OrganizationFactory(org_type=OrgType.FOUNDATION)
    public_charity = OrganizationFactory(charity_recognized_on=D(2020, 1, 1), public_fundraising=True)
    for org in (foundation, public_charity):
        assert services.required_attachment_kinds(org) == [
            AttachmentKind.AUDIT_REPORT,
            AttachmentKind.DECLARATION,
        ]


def test_submission_without_required_attachments_is_refused_and_nothing_changes():
    report = make_report(OrganizationFactory(org_type=OrgType.FOUNDATION))
    services.add_attachment(
        report, AttachmentKind.DECLARATION, upload("声明.png", PNG_BYTES), user=report.created_by
    )
    with pytest.raises(ValidationError) as info:
        services.submit_report(report, user=report.created_by)
    assert info.value.message_dict == {"attachment_audit_report": ["缺少必需的附件：审计报告。"]}
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and not ReportSubmission.objects.exists()


def test_audit_report_must_be_a_real_pdf():
    report = make_report(OrganizationFactory(org_type=OrgType.FOUNDATION))
    user = report.created_by
    with pytest.raises(ValidationError) as info:
        services.add_attachment(
            report, AttachmentKind.AUDIT_REPORT, upload("audit.docx", pdf_bytes()), user=user
        )
    assert info.value.messages == ["审计报告须为 PDF 文件（.pdf）。"]
    with pytest.raises(ValidationError) as info:
        services.add_attachment(
            report, AttachmentKind.AUDIT_REPORT, upload("audit.pdf", b"MZ\x90\x00 not a pdf"), user=user
        )
    assert info.value.messages == ["该文件扩展名为 .pdf，但内容不是有效的 PDF 文件。"]
    with pytest.raises(ValidationError):  # starts like a PDF but is not one
        services.add_attachment(
            report, AttachmentKind.AUDIT_REPORT, upload("audit.pdf", b"%PDF-1.7 garbage"), user=user
        )
    attachment = services.add_attachment(
        report, AttachmentKind.AUDIT_REPORT, upload("审计报告.pdf", pdf_bytes()), user=user
    )
    assert attachment.content_type == "application/pdf" and len(attachment.sha256) == 64


def test_attachment_size_limit(settings):
    settings.REPORT_ATTACHMENT_MAX_BYTES = 1000
    report = make_report(OrganizationFactory())
    with pytest.raises(ValidationError) as info:
        services.add_attachment(
            report,
            AttachmentKind.DECLARATION,
            upload("d.pdf", pdf_bytes() + b" " * 2000),
            user=report.created_by,
        )
    assert info.value.code == "too_large" and "超过" in info.value.messages[0]


def test_declaration_image_must_match_its_extension():
    report = make_report(OrganizationFactory())
    with pytest.raises(ValidationError):
        services.add_attachment(
            report, AttachmentKind.DECLARATION, upload("d.jpg", PNG_BYTES), user=report.created_by
        )
    assert services.add_attachment(
        report, AttachmentKind.DECLARATION, upload("d.png", PNG_BYTES), user=report.created_by
    )


def test_new_upload_replaces_the_previous_file_of_that_kind():
    report = make_report(OrganizationFactory())
    first = services.add_attachment(
        report, AttachmentKind.DECLARATION, upload("a.png", PNG_BYTES), user=report.created_by
    )
    second = services.add_attachment(
        report, AttachmentKind.DECLARATION, upload("b.pdf", pdf_bytes()), user=report.created_by
    )
    assert services.current_attachments(report) == [second]
    first.refresh_from_db()
    assert first.superseded
    logged = ModelLogEntry.objects.filter(action="reports.attachment_added", object_id=str(report.pk))
    assert [entry.data["name"] for entry in logged.order_by("pk")] == ["a.png", "b.pdf"]


# --- Submission, immutability, review ---------------------------------------------------


def test_submission_freezes_the_content_with_a_sha256():
    report, submission = submitted_report(OrganizationFactory())
    assert submission.content["fields"]["total_assets"] == "1000000.00"
    assert submission.sha256 == services.content_digest(submission.content)
    assert submission.receipt_number == f"NB2025-{report.organization.uscc}-01"
    assert [a["kind"] for a in submission.content["attachments"]] == ["declaration"]


def test_submitted_report_is_immutable():
    report, submission = submitted_report(OrganizationFactory())
    report.total_assets = Decimal("1.00")
    with pytest.raises(ImmutableRecord):
        report.save()
    fresh = AnnualReport.objects.get(pk=report.pk)
    fresh.income_total = Decimal("0.00")
    with pytest.raises(ImmutableRecord):
        fresh.save()
    with pytest.raises(ImmutableRecord):
        submission.save()
    with pytest.raises(ImmutableRecord):
        submission.delete()
    attachment = fresh.attachments.get()
    attachment.original_name = "替换.pdf"
    with pytest.raises(ImmutableRecord):
        attachment.save()
    with pytest.raises(ImmutableRecord):
        attachment.delete()
    with pytest.raises(ImmutableRecord):
        fresh.delete()
    with pytest.raises(ImmutableRecord):
        services.add_attachment(
            fresh, AttachmentKind.DECLARATION, upload("x.png", PNG_BYTES), user=report.created_by
        )
    with pytest.raises(ImmutableRecord):
        services.submit_report(fresh, user=report.created_by)
    assert AnnualReport.objects.get(pk=report.pk).total_assets == Decimal("1000000.00")


def test_resubmission_after_return_is_a_new_record_and_history_is_kept():
    bureau = UserFactory(is_staff=True)
    report, first = submitted_report(OrganizationFactory())
    services.return_report(report, reasons="资产负债表附注缺失", user=bureau)
    report.refresh_from_db()
    report.total_liabilities = Decimal("100000.00")
    report.net_assets_unrestricted = Decimal("700000.00")
    report.save()  # editable again while returned
    second = services.submit_report(report, user=report.created_by)
    assert second.sequence == 2 and second.sha256 != first.sha256
    first.refresh_from_db()
    assert first.content["fields"]["total_liabilities"] == "200000.00"
    assert (
        first.decision.action == ReviewDecision.Action.RETURN
        and first.decision.reasons == "资产负债表附注缺失"
    )
    services.accept_report(report, conclusion=Conclusion.BASICALLY_QUALIFIED, comment="已补正", user=bureau)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.conclusion == Conclusion.BASICALLY_QUALIFIED
    moves = [
        (e.data["from"], e.data["to"])
        for e in ModelLogEntry.objects.filter(
            action="platform.transition", object_id=str(report.pk)
        ).order_by("pk")
    ]
    assert moves == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "accepted"),
    ]


def test_illegal_review_moves_are_refused():
    report = make_report(OrganizationFactory())
    with pytest.raises(ValidationError):
        services.accept_report(report, conclusion=Conclusion.QUALIFIED, user=UserFactory())
    with pytest.raises(ValidationError):
        services.return_report(report, reasons="x", user=UserFactory())
    submitted, _ = submitted_report(OrganizationFactory())
    with pytest.raises(ValidationError) as info:
        services.return_report(submitted, reasons="  ", user=UserFactory())
    assert info.value.message_dict == {"reasons": ["请填写退回理由。"]}


def test_receipt_pdf_text_and_embedded_font():
    org = OrganizationFactory(name="北京市朝阳区养老服务协会")
    with freeze_time("2026-04-10 15:20:00+08:00"):
        report, submission = submitted_report(org)
    data = services.receipt_pdf(submission)
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    compact = text.replace("\n", "").replace(" ", "")
    assert "社会组织年度报告报送回执" in compact
    assert "北京市朝阳区养老服务协会" in compact
    assert org.uscc in compact
    assert submission.receipt_number in compact
    assert submission.sha256 in compact
    assert "2026-04-1015:20:00" in compact and "按期提交" in compact
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [f.get_object().get("/DescendantFonts") or [f.get_object()] for f in fonts.values()]
    embedded = [
        d.get_object().get("/FontDescriptor", {}).get("/FontFile2")
        for group in descriptors
        for d in group
        if d.get_object().get("/FontDescriptor")
    ]
    assert any(embedded), "the CJK TrueType font is embedded"


# --- C3 ----------------------------------------------------------------------------------


def c3(org, **fields):
    report = AnnualReport(organization=org, year=2025, deadline=D(2026, 5, 31), **balanced_figures(**fields))
    return {check.key: check for check in services.c3_checks(report)}


def test_c3_not_computed_for_non_charities():
    assert c3(OrganizationFactory()) == {}


def test_c3_public_fundraising_foundation_spending_below_70_percent_is_a_breach():
    foundation = OrganizationFactory(
        org_type=OrgType.FOUNDATION, charity_recognized_on=D(2018, 1, 1), public_fundraising=True
    )
    checks = c3(
        foundation, previous_year_income=Decimal("1000000.00"), charitable_spending=Decimal("690000.00")
    )
    assert not checks["charitable_spending"].ok and checks["charitable_spending"].actual_percent == Decimal(
        "69.0"
    )
    checks = c3(
        foundation, previous_year_income=Decimal("1000000.00"), charitable_spending=Decimal("700000.00")
    )
    assert checks["charitable_spending"].ok


def test_c3_public_fundraising_foundation_admin_costs_above_10_percent_is_a_breach():
    foundation = OrganizationFactory(
        org_type=OrgType.FOUNDATION, charity_recognized_on=D(2018, 1, 1), public_fundraising=True
    )
    figures = {
        "expense_business": Decimal("1700000.00"),
        "expense_administration": Decimal("250000.00"),
        "expense_fundraising": Decimal("50000.00"),
        "expense_other": Decimal("0.00"),
        "expense_total": Decimal("2000000.00"),
    }
    checks = c3(foundation, **figures)
    assert not checks["admin_costs"].ok and checks["admin_costs"].actual_percent == Decimal("12.5")


def test_c3_admin_costs_below_200000_are_exempt():
    foundation = OrganizationFactory(
        org_type=OrgType.FOUNDATION, charity_recognized_on=D(2018, 1, 1), public_fundraising=True
    )
    checks = c3(foundation)  # 50,000 of 440,000 = 11.4 % but under the exemption
    assert checks["admin_costs"].actual_percent == Decimal("11.4") and checks["admin_costs"].ok


def test_c3_three_year_average_base_is_used_when_lower():
    foundation = OrganizationFactory(
        org_type=OrgType.FOUNDATION, charity_recognized_on=D(2018, 1, 1), public_fundraising=True
    )
    report = AnnualReport(
        organization=foundation,
        year=2025,
        deadline=D(2026, 5, 31),
        **balanced_figures(
            previous_year_income=Decimal("1000000.00"), charitable_spending=Decimal("600000.00")
        ),
    )
    history = [Decimal("700000.00"), Decimal("800000.00"), Decimal("1000000.00")]
    check = services.c3_checks(report, history)[0]
    assert check.ok and check.note == "以前三年收入平均数为基数"


def test_c3_tiered_limits_for_charities_without_public_fundraising(settings):
    charity = OrganizationFactory(org_type=OrgType.SOCIAL_SERVICE, charity_recognized_on=D(2020, 1, 1))
    # Net assets 2,000,000 → tier "1,000,000 and above": spend at least 8 %.
    checks = c3(
        charity, previous_year_net_assets=Decimal("2000000.00"), charitable_spending=Decimal("150000.00")
    )
    assert not checks["charitable_spending"].ok and checks["charitable_spending"].limit == Decimal("0.08")
    settings.C3_TIERS_OTHER = ((Decimal("0"), Decimal("0.05"), Decimal("0.20")),)
    checks = c3(
        charity, previous_year_net_assets=Decimal("2000000.00"), charitable_spending=Decimal("150000.00")
    )
    assert checks["charitable_spending"].ok


def test_c3_breach_is_recorded_at_submission_for_the_bureau_queue():
    foundation = OrganizationFactory(
        org_type=OrgType.FOUNDATION, charity_recognized_on=D(2018, 1, 1), public_fundraising=True
    )
    report = make_report(
        foundation, previous_year_income=Decimal("2000000.00"), charitable_spending=Decimal("100000.00")
    )
    attach_required(report)
    services.submit_report(report, user=report.created_by)
    report.refresh_from_db()
    assert report.c3_breach
