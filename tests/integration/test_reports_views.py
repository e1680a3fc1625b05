"""Filing an annual report in the workbench and reviewing it in the Wagtail admin."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from freezegun import freeze_time
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from accounts.groups import SOCIAL_ORG_SECTION
from orgs.registry.models import OrgType
from orgs.reports import services
from orgs.reports.models import AnnualReport, ReportStatus, ReportSubmission
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.cms import make_home_page
from tests.factories.orgs import (
    MembershipFactory,
    OrganizationFactory,
    balanced_figures,
    make_report,
    pdf_bytes,
    submitted_report,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    make_home_page()


def login(user):
    client = Client()
    assert client.login(username=user.mobile, password=PASSWORD)
    return client


def form_data(**overrides):
    data = {name: str(value) for name, value in balanced_figures(**overrides).items()}
    data["basic_info_confirmed"] = "on" if overrides.get("basic_info_confirmed", True) else ""
    return data


@pytest.fixture
def member():
    return MembershipFactory(organization=OrganizationFactory(name="北京市朝阳区养老服务协会"))


def test_start_save_draft_upload_and_submit(member):
    client = login(member.user)
    uscc = member.organization.uscc
    response = client.post(f"/workbench/reports/{uscc}/", {"year": "2025"})
    assert response["Location"] == f"/workbench/reports/{uscc}/2025/"
    response = client.post(f"/workbench/reports/{uscc}/2025/", {**form_data(total_assets="1"), "save": "1"})
    assert response.status_code == 302  # a draft may be unbalanced
    assert AnnualReport.objects.get().total_assets == Decimal("1.00")
    response = client.post(
        f"/workbench/reports/{uscc}/2025/",
        {
            **form_data(total_assets="2"),
            "kind": "declaration",
            "file": upload("声明页.pdf", pdf_bytes("声明")),
            "save": "1",
        },
    )
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert report.total_assets == Decimal("2.00") and report.attachments.get().original_name == "声明页.pdf"
    response = client.post(f"/workbench/reports/{uscc}/2025/", {**form_data(), "submit": "1"})
    assert response["Location"] == f"/workbench/reports/{uscc}/2025/check/"  # S2: check first
    assert AnnualReport.objects.get().status == ReportStatus.DRAFT
    response = client.post(f"/workbench/reports/{uscc}/2025/check/", {"confirm": "1"}, follow=True)
    html = response.content.decode()
    assert "年度报告已提交" in html and "待审核" in html
    report = AnnualReport.objects.get()
    assert report.status == ReportStatus.SUBMITTED
    # The locked report shows no editable form, and a POST can't change it.
    assert 'name="total_assets"' not in html
    client.post(f"/workbench/reports/{uscc}/2025/", {**form_data(total_assets="5"), "save": "1"})
    assert AnnualReport.objects.get().total_assets == Decimal("1000000.00")
    receipt = client.get(f"/workbench/reports/{uscc}/2025/receipts/1.pdf")
    assert receipt["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(receipt.content)).pages[0].extract_text().replace("\n", "").replace(" ", "")
    assert ReportSubmission.objects.get().sha256 in text and "北京市朝阳区养老服务协会" in text


def test_unbalanced_report_shows_chinese_error_on_total_assets_and_keeps_everything_typed(member):
    client = login(member.user)
    uscc = member.organization.uscc
    make_report(member.organization, user=member.user)
    data = form_data(total_assets="999999.00", activities_summary="今年开展了十二场活动")
    response = client.post(f"/workbench/reports/{uscc}/2025/", {**data, "submit": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        'id="id_total_assets_error1">资产负债表不平衡：资产总计 999,999.00 元应等于负债合计与净资产之和 1,000,000.00 元。'
        in html
    )
    assert 'value="999999.00"' in html and "今年开展了十二场活动" in html and 'value="300000.00"' in html
    assert "缺少必需的附件：签章声明页。" in html
    report = AnnualReport.objects.get()
    assert report.status == ReportStatus.DRAFT and report.activities_summary == "今年开展了十二场活动"
    assert not ReportSubmission.objects.exists()


def test_negative_amount_is_refused_on_its_field(member):
    client = login(member.user)
    make_report(member.organization, user=member.user)
    data = form_data(income_other="-1.00")
    html = client.post(
        f"/workbench/reports/{member.organization.uscc}/2025/", {**data, "save": "1"}
    ).content.decode()
    assert 'id="id_income_other_error1">金额不能为负数。' in html


def test_fake_pdf_upload_is_refused_with_a_clear_error(member):
    org = member.organization
    org.org_type = OrgType.FOUNDATION
    org.save()
    client = login(member.user)
    make_report(org, user=member.user)
    response = client.post(
        f"/workbench/reports/{org.uscc}/2025/",
        {
            **form_data(activities_summary="保留我"),
            "kind": "audit_report",
            "file": upload("审计报告.pdf", b"this is not a pdf"),
            "submit": "1",
        },
    )
    html = response.content.decode()
    assert "该文件扩展名为 .pdf，但内容不是有效的 PDF 文件。" in html and "保留我" in html
    report = AnnualReport.objects.get()
    assert report.status == ReportStatus.DRAFT and report.activities_summary == "保留我"
    assert not report.attachments.exists()


def test_other_organisation_reports_attachments_and_receipts_answer_404(member):
    other = OrganizationFactory()
    report, _ = submitted_report(other)
    attachment = report.attachments.get()
    client = login(member.user)
    base = f"/workbench/reports/{other.uscc}"
    for url in (
        f"{base}/",
        f"{base}/2025/",
        f"{base}/2025/receipts/1.pdf",
        f"{base}/2025/attachments/{attachment.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/2025/", {**form_data(), "save": "1"}).status_code == 404
    assert client.post(f"{base}/", {"year": "2024"}).status_code == 404
    # The member's own organisation can't reach the other's attachment through its own report either.
    make_report(member.organization, user=member.user)
    own = f"/workbench/reports/{member.organization.uscc}/2025/"
    assert client.get(f"{own}attachments/{attachment.pk}/").status_code == 404
    assert client.post(own, {**form_data(), "withdraw": str(attachment.pk)}).status_code == 404
    attachment.refresh_from_db()
    assert not attachment.superseded


def test_workbench_list_counts_down_to_the_deadline(member):
    make_report(member.organization, user=member.user)
    with freeze_time("2026-05-21 10:00:00+08:00"):
        html = login(member.user).get(f"/workbench/reports/{member.organization.uscc}/").content.decode()
    assert "距截止还有 10 天" in html
    with freeze_time("2026-06-02 10:00:00+08:00"):
        html = login(member.user).get(f"/workbench/reports/{member.organization.uscc}/").content.decode()
    assert "已逾期 2 天" in html


def test_c3_breach_is_shown_to_the_organisation():
    foundation = OrganizationFactory(
        org_type=OrgType.FOUNDATION, charity_recognized_on=datetime.date(2018, 1, 1), public_fundraising=True
    )
    member = MembershipFactory(organization=foundation)
    make_report(
        foundation,
        user=member.user,
        previous_year_income=Decimal("1000000.00"),
        charitable_spending=Decimal("100000.00"),
    )
    html = login(member.user).get(f"/workbench/reports/{foundation.uscc}/2025/").content.decode()
    assert "慈善活动支出比例" in html and "未达标" in html and "10.0%" in html


# --- Bureau review in the Wagtail admin ---------------------------------------------------


@pytest.fixture
def officer():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=SOCIAL_ORG_SECTION))
    return user


def test_review_queue_filters_by_status_type_year_and_lateness(officer):
    on_time_org = OrganizationFactory(name="按期协会")
    late_org = OrganizationFactory(name="逾期基金会", org_type=OrgType.FOUNDATION)
    with freeze_time("2026-03-01 10:00:00+08:00"):
        submitted_report(on_time_org)
    with freeze_time("2026-06-15 10:00:00+08:00"):
        submitted_report(late_org)
    make_report(OrganizationFactory(name="草稿协会"))
    client = login(officer)
    url = "/admin/reports/review/"

    def listed(**params):
        html = client.get(url, params).content.decode()
        return {name for name in ("按期协会", "逾期基金会", "草稿协会") if name in html}

    assert listed(view="all") == {"按期协会", "逾期基金会", "草稿协会"}
    assert listed() == {"按期协会", "逾期基金会"}  # the queue opens on the reports waiting for review
    assert listed(view="all", state="submitted") == {"按期协会", "逾期基金会"}
    assert listed(is_late="1") == {"逾期基金会"}
    assert listed(kind="foundation") == {"逾期基金会"}
    assert listed(year="2024") == set()


def test_bureau_returns_then_accepts_and_every_action_is_audited(officer):
    org = OrganizationFactory(name="北京市审核测试协会")
    report, _ = submitted_report(org)
    client = login(officer)
    url = f"/admin/reports/review/edit/{report.pk}/"
    assert "北京市审核测试协会" in client.get(url).content.decode()
    response = client.post(url, {"action": "return", "reasons": ""})
    assert response.status_code == 400
    with freeze_time("2026-09-30 10:00:00+08:00"):
        response = client.post(url, {"action": "return", "reasons": "请补充理事会会议纪要"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.resubmit_deadline == datetime.date(2026, 10, 13)
    services.submit_report(report, user=report.created_by)
    decision = {"action": "accept", "conclusion": "basically_qualified", "comment": "会议纪要已补充"}
    assert client.post(url, decision).status_code == 200  # the confirmation summary first
    latest = ReportSubmission.objects.filter(report=report).latest("sequence")
    response = client.post(url, {**decision, "submission": str(latest.pk), "confirmed": "1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.conclusion == "basically_qualified"
    reasons = list(
        ModelLogEntry.objects.filter(action="platform.transition", object_id=str(report.pk))
        .order_by("pk")
        .values_list("data__reason", "user_id")
    )
    assert reasons[1] == ("请补充理事会会议纪要", officer.pk)
    assert reasons[3] == ("基本合格 会议纪要已补充", officer.pk)
    # The public profile now shows the summary.
    assert "基本合格" in Client().get(f"/orgs/{org.uscc}/").content.decode()


@pytest.mark.parametrize(
    ("action", "decision", "expected_status"),
    [
        ("accept", {"conclusion": "qualified", "comment": "材料齐全"}, ReportStatus.ACCEPTED),
        ("return", {"reasons": "审计报告缺少签章页"}, ReportStatus.RETURNED),
    ],
)
def test_admin_cannot_edit_report_figures(officer, action, decision, expected_status):
    """The review form decides; figures posted with the decision are ignored, never stored."""
    report, submission = submitted_report(OrganizationFactory())
    stored = {name: getattr(report, name) for name in AnnualReport.CONTENT_FIELDS}
    tampered = {
        "total_assets": "1.00",
        "income_total": "999999999.00",
        "expense_administration": "0.00",
        "council_meetings": "99",
        "activities_summary": "审核人改写的内容",
    }
    client = login(officer)
    confirmed = {"submission": str(submission.pk), "confirmed": "1"} if action == "accept" else {}
    response = client.post(
        f"/admin/reports/review/edit/{report.pk}/", {"action": action, **decision, **tampered, **confirmed}
    )
    assert response.status_code == 302  # the decision itself went through
    report.refresh_from_db()
    assert report.status == expected_status
    assert {name: getattr(report, name) for name in AnnualReport.CONTENT_FIELDS} == stored
    assert report.total_assets == Decimal("1000000.00") and report.income_total == Decimal("500000.00")
    frozen = ReportSubmission.objects.get(pk=submission.pk)
    assert frozen.content == submission.content and frozen.sha256 == submission.sha256
    assert client.get("/admin/reports/review/new/").status_code in (302, 403)
    assert client.get(f"/admin/reports/review/delete/{report.pk}/").status_code in (302, 403)


def test_staff_without_the_section_group_cannot_review():
    report, _ = submitted_report(OrganizationFactory())
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="内容编辑"))
    response = login(editor).post(
        f"/admin/reports/review/edit/{report.pk}/", {"action": "accept", "conclusion": "qualified"}
    )
    assert response.status_code in (302, 403)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_bureau_accepts_a_legacy_uscc_with_a_recorded_reason(officer):
    client = login(officer)
    data = {
        "name": "北京市历史遗留协会",
        "uscc": "51110105MJ0000001A",
        "org_type": "social_group",
        "registration_authority": "110105",
        "registered_on": "1998-05-01",
        "legal_representative": "张三",
        "domicile": "北京市朝阳区",
        "district": "110105",
        "business_scope": "测试",
        "registered_funds": "30000",
        "status": "normal",
    }
    response = client.post("/admin/registry/organizations/new/", data)
    assert "第18位校验码应为" in response.content.decode()
    response = client.post(
        "/admin/registry/organizations/new/", {**data, "uscc_override_reason": "1998年纸质档案核实"}
    )
    assert response.status_code == 302
    from orgs.registry.models import Organization

    org = Organization.objects.get(name="北京市历史遗留协会")
    assert org.uscc_override_by == officer and org.uscc_override_reason == "1998年纸质档案核实"
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(org.pk)).exists()


def test_bureau_invites_an_organisation_admin_by_mobile(officer):
    org = OrganizationFactory()
    client = login(officer)
    response = client.post("/admin/registry/invite-admin/", {"organization": org.pk, "mobile": "13712345678"})
    assert response.status_code == 302
    newcomer = UserFactory(mobile="13712345678")
    login(newcomer)  # signing in accepts the invitation
    assert newcomer.org_memberships.get().role == "admin"


def test_bureau_records_a_change_registration(officer):
    org = OrganizationFactory(legal_representative="张三")
    client = login(officer)
    response = client.post(
        "/admin/registry/changes/new/",
        {"organization": org.pk, "item": "legal_representative", "after": "李四", "changed_on": "2026-01-05"},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.legal_representative == "李四" and org.changes.get().before == "张三"
    edit = client.get(f"/admin/registry/organizations/edit/{org.pk}/").content.decode()
    assert 'name="legal_representative"' not in edit and 'name="website"' in edit


def test_bureau_edits_the_holiday_calendar(officer):
    client = login(officer)
    response = client.post(
        "/admin/reports/calendar/new/", {"date": "2026-12-31", "kind": "holiday", "name": "测试调整"}
    )
    assert response.status_code == 302
    from core.dates import is_working_day

    assert not is_working_day(datetime.date(2026, 12, 31))
