"""The public credit lookup and credit report, the organisation workbench (warnings,
objections) and the bureau's credit admin."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time
from pypdf import PdfReader

from core import sealing
from core.models import EarlyWarning, VerifiableDocument
from core.verification import check_upload
from orgs.credit import services
from orgs.credit.models import (
    Category,
    CreditRecord,
    ListEntry,
    ListReason,
    ListType,
    Objection,
    ObjectionStatus,
    Proposal,
    ProposalStatus,
    Rating,
)
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.cms import make_home_page
from tests.factories.credit import at, evidence, make_listing, make_penalty, make_record, officer
from tests.factories.orgs import MembershipFactory, OrganizationFactory, submitted_report

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    make_home_page()


def login(user):
    client = Client()
    assert client.login(username=user.mobile, password=PASSWORD)
    return client


def text(response):
    return response.content.decode()


def pdf_text(data):
    # Table cells wrap long lines; join them so phrases can be found whole.
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", "")


@pytest.fixture
def listed_org():
    """An organisation with an overdue 2025 report, listed on the abnormal list by the bureau."""
    org = OrganizationFactory(name="北京市朝阳区逾期协会")
    services.run_rules(D(2026, 6, 1))
    proposal = Proposal.objects.get(organization=org, report_year=2025)
    with freeze_time(at(D(2026, 6, 3))):
        services.confirm_proposal(
            proposal, user=officer(), reason="逾期未报", document_number="京民异〔2026〕8号"
        )
    return org


# --- Public lookup --------------------------------------------------------------------------------


def test_lookup_by_name_substring_shows_listing_badge(listed_org):
    OrganizationFactory(name="北京市海淀区守信协会")
    response = Client().get("/credit/", {"q": "朝阳区逾期"})
    html = text(response)
    assert "北京市朝阳区逾期协会" in html and "守信协会" not in html
    assert "活动异常名录" in html and f"/credit/{listed_org.uscc}/" in html


def test_lookup_by_exact_uscc_and_lower_case():
    org = OrganizationFactory(name="代码查询协会")
    OrganizationFactory(name="另一家协会")
    html = text(Client().get("/credit/", {"q": org.uscc.lower()}))
    assert "代码查询协会" in html and "另一家协会" not in html


def test_s1_invalid_uscc_query_gets_the_s1_message():
    org = OrganizationFactory()
    wrong = org.uscc[:17] + ("0" if org.uscc[17] != "0" else "1")
    html = text(Client().get("/credit/", {"q": wrong}))
    assert f"第18位校验码应为 {org.uscc[17]}" in html
    html = text(Client().get("/credit/", {"q": "51110105MJ50000"}))
    assert "统一社会信用代码应为18位，当前为15位" in html


def test_result_page_shows_listing_reason_date_source_and_report_history(listed_org):
    with freeze_time(at(D(2026, 6, 20))):
        response = Client().get(f"/credit/{listed_org.uscc}/")
    html = text(response)
    assert "未按规定时限报送年度报告" in html and "2026-06-03" in html and "京民异〔2026〕8号" in html
    assert "本页信息截至 2026-06-20" in html
    assert "逾期未报送" in html  # the 2025 row of the report history
    assert html.count("截至 2026-06-20") >= 1


def test_result_page_shows_rating_validity_expired_and_penalties():
    org = OrganizationFactory(name="评估协会")
    Rating.objects.create(
        organization=org,
        score=Decimal("800"),
        grade=3,
        evaluating_body="评估委员会",
        rated_on=D(2020, 9, 1),
        expires_on=D(2025, 8, 31),
        recorded_by=UserFactory(),
    )
    make_penalty(org, decided_on=D(2026, 3, 2), fine=Decimal("20000.00"))
    with freeze_time(at(D(2026, 6, 20))):
        html = text(Client().get(f"/credit/{org.uscc}/"))
    assert "3A" in html and "2025-08-31" in html and "已过期" in html
    assert "违反登记管理规定，予以罚款" in html and "罚款 20000.00 元" in html


def test_report_history_marks_on_time_late_and_conclusions():
    org = OrganizationFactory()
    bureau = officer()
    from orgs.reports import services as report_services

    with freeze_time(at(D(2025, 5, 10))):
        report, _ = submitted_report(org, 2024)
        report_services.accept_report(report, conclusion="qualified", user=bureau)
    with freeze_time(at(D(2026, 6, 10))):
        submitted_report(org, 2025)
    with freeze_time(at(D(2026, 6, 20))):
        html = text(Client().get(f"/credit/{org.uscc}/"))
    row_2024 = html[html.index('<th scope="row">2024</th>') :][:400]
    row_2025 = html[html.index('<th scope="row">2025</th>') :][:400]
    assert "按期报送" in row_2024 and "合格" in row_2024
    assert "逾期报送" in row_2025


def test_profile_page_has_a_credit_section(listed_org):
    html = text(Client().get(f"/orgs/{listed_org.uscc}/"))
    assert "信用信息" in html and "活动异常名录" in html and f"/credit/{listed_org.uscc}/" in html


def test_credit_report_pdf_is_sealed_verifiable_and_states_the_facts(listed_org):
    make_record(listed_org, summary="抽查发现财务制度不健全")
    response = Client().get(f"/credit/{listed_org.uscc}/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    document = VerifiableDocument.objects.get(kind=VerifiableDocument.Kind.CREDIT_REPORT)
    content = pdf_text(data)
    for expected in (
        "社会组织信用报告",
        listed_org.name,
        listed_org.uscc,
        "活动异常名录",
        "未按规定时限报送年度报告",
        "京民异〔2026〕8号",
        "抽查发现财务制度不健全",
        document.code,
        f"/verify/{document.code}/",
    ):
        assert expected in content, expected
    for page in PdfReader(io.BytesIO(data)).pages:  # only the embedded CJK font; no Helvetica
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert font["/BaseFont"] != "/Helvetica"
            assert font["/FontDescriptor"].get_object().get("/FontFile2") is not None
    check = sealing.verify_pdf(data)
    assert check.ok and check.trusted and check.intact
    assert check_upload(document, data).genuine
    tampered = data.replace(b"/Producer", b"/Producex", 1)
    assert not check_upload(document, tampered).genuine
    # The same facts on the same day reuse the document; a new fact issues a new one.
    Client().get(f"/credit/{listed_org.uscc}/report.pdf")
    assert VerifiableDocument.objects.filter(kind="credit_report").count() == 1
    make_record(listed_org, number="新增文号", summary="新增记录")
    Client().get(f"/credit/{listed_org.uscc}/report.pdf")
    assert VerifiableDocument.objects.filter(kind="credit_report").count() == 2
    page = text(Client().get(f"/verify/{document.code}/"))
    assert "社会组织信用报告" in page
    assert listed_org.name in page  # an organisation's name is public, not masked like a person's


# The first request of the test's new site also creates its settings row, and the chrome is then
# loaded once more under the version that insert gave (cms.chrome): one query above 15.
MAX_QUERIES = 16


def test_lookup_and_result_pages_keep_a_flat_number_of_queries(django_assert_max_num_queries):
    def populate(first, n):
        for i in range(first, first + n):
            org = OrganizationFactory(name=f"查询计数协会{i:03d}")
            make_listing(org, listed_on=D(2026, 1, 15))
            make_record(org, number=f"n{i}-a")
            make_penalty(org, decided_on=D(2026, 1, 5))
            Rating.objects.create(
                organization=org,
                score=Decimal("900"),
                grade=4,
                evaluating_body="评估委员会",
                rated_on=D(2024, 1, 1),
                expires_on=D(2028, 12, 31),
                recorded_by=UserFactory(),
            )
        return org

    client = Client()
    small = populate(0, 2)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert "查询计数协会001" in text(client.get("/credit/", {"q": "查询计数"}))
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(f"/credit/{small.uscc}/")
    large = populate(2, 10)
    for i in range(6):
        make_record(large, number=f"more-{i}")
        make_penalty(large, decided_on=D(2025, 1, i + 1))
    make_listing(large, listed_on=D(2026, 2, 1), reason=ListReason.WARNING_OR_SMALL_FINE)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert "查询计数协会011" in text(client.get("/credit/", {"q": "查询计数"}))
    with django_assert_max_num_queries(MAX_QUERIES):
        assert "more-5" in text(client.get(f"/credit/{large.uscc}/"))


# --- Workbench: warnings and objections ---------------------------------------------------------------


def test_workbench_shows_own_warnings_and_another_organisation_answers_404(listed_org):
    member = MembershipFactory(organization=listed_org)
    other = OrganizationFactory()
    EarlyWarning.objects.refresh(D(2026, 6, 4))
    client = login(member.user)
    html = text(client.get(f"/workbench/credit/{listed_org.uscc}/"))
    assert "年度报告已逾期" in html and "严重违法失信名单" in html
    assert client.get(f"/workbench/credit/{other.uscc}/").status_code == 404
    assert "信用信息" in text(client.get("/workbench/"))
    assert Client().get(f"/workbench/credit/{listed_org.uscc}/").status_code == 302


def test_member_files_an_objection_and_both_parties_see_the_status():
    member = MembershipFactory()
    record = make_record(member.organization, summary="结论：不合格")
    client = login(member.user)
    url = f"/workbench/credit/{member.organization.uscc}/records/{record.pk}/objection/"
    response = client.post(url, {"grounds": "", "evidence": evidence()})
    assert response.status_code == 400 and "grounds_error" in text(response)
    response = client.post(url, {"grounds": "结论应为基本合格", "evidence": evidence()}, follow=True)
    objection = Objection.objects.get()
    assert "异议已提交" in text(response) and "待处理" in text(response)
    assert (
        client.get(
            f"/workbench/credit/{member.organization.uscc}/objections/{objection.pk}/evidence/"
        ).status_code
        == 200
    )
    bureau = login(officer())
    html = text(bureau.get(f"/admin/credit/objections/edit/{objection.pk}/"))
    assert "结论应为基本合格" in html and "待处理" in html
    # Upholding without changing the record is refused on the form (S8; issue 23, point 7).
    unchanged = bureau.post(
        f"/admin/credit/objections/edit/{objection.pk}/",
        {
            "action": "uphold",
            "decision_reason": "经复核",
            "summary": objection.record.summary,
            "category": objection.record.category,
        },
    )
    assert unchanged.status_code == 400 and "请驳回异议" in text(unchanged)
    response = bureau.post(
        f"/admin/credit/objections/edit/{objection.pk}/",
        {
            "action": "uphold",
            "decision_reason": "经复核录入错误",
            "summary": "结论：基本合格",
            "category": Category.ANNUAL_REPORT,
        },
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    html = text(client.get(f"/workbench/credit/{member.organization.uscc}/objections/{objection.pk}/"))
    assert "异议成立，已更正" in html and "经复核录入错误" in html and "结论：基本合格" in html
    public = text(Client().get(f"/credit/{member.organization.uscc}/"))
    assert "结论：不合格" in public and "结论：基本合格" in public and "已更正" in public


def test_bureau_dismisses_an_objection_with_a_reason():
    member = MembershipFactory()
    objection = services.file_objection(
        make_record(member.organization), user=member.user, grounds="不认可", evidence=evidence()
    )
    bureau = login(officer())
    url = f"/admin/credit/objections/edit/{objection.pk}/"
    assert bureau.post(url, {"action": "dismiss", "decision_reason": ""}).status_code == 400
    assert bureau.post(url, {"action": "dismiss", "decision_reason": "证据不足"}).status_code == 302
    html = text(
        login(member.user).get(f"/workbench/credit/{member.organization.uscc}/objections/{objection.pk}/")
    )
    assert "异议不成立" in html and "证据不足" in html


def test_another_organisations_objection_and_record_answer_404():
    mine, theirs = MembershipFactory(), MembershipFactory()
    objection = services.file_objection(
        make_record(theirs.organization), user=theirs.user, grounds="g", evidence=evidence()
    )
    client = login(mine.user)
    own = mine.organization.uscc
    assert client.get(f"/workbench/credit/{own}/objections/{objection.pk}/").status_code == 404
    assert client.get(f"/workbench/credit/{own}/objections/{objection.pk}/evidence/").status_code == 404
    assert (
        client.get(f"/workbench/credit/{theirs.organization.uscc}/objections/{objection.pk}/").status_code
        == 404
    )
    assert client.get(f"/workbench/credit/{own}/records/{objection.record_id}/objection/").status_code == 404
    assert Client().get(f"/admin/credit/objections/evidence/{objection.pk}/").status_code == 302


# --- Bureau admin --------------------------------------------------------------------------------------


def test_bureau_sees_rule_and_facts_and_confirms_a_proposal():
    org = OrganizationFactory(name="待决定协会")
    services.run_rules(D(2026, 6, 1))
    proposal = Proposal.objects.get(organization=org, report_year=2025)
    client = login(officer())
    html = text(client.get("/admin/credit/proposals/?status=pending"))
    assert "待决定协会" in html
    html = text(client.get(f"/admin/credit/proposals/edit/{proposal.pk}/"))
    assert "S5 年度报告逾期未报送" in html and "2026-05-31" in html and "未开始填报" in html
    response = client.post(
        f"/admin/credit/proposals/edit/{proposal.pk}/",
        {"action": "confirm", "decision_reason": "", "decided_on": "2026-06-02", "document_number": "x"},
    )
    assert response.status_code == 400
    decision = {
        "action": "confirm",
        "decision_reason": "逾期",
        "decided_on": "2026-06-02",
        "document_number": "京民异〔2026〕2号",
    }
    with freeze_time(at(D(2026, 6, 3))):
        # The first POST shows what confirming will do, and decides nothing (issue 23, point 7).
        summary = client.post(f"/admin/credit/proposals/edit/{proposal.pk}/", decision)
        assert summary.status_code == 200 and not ListEntry.objects.filter(organization=org).exists()
        response = client.post(f"/admin/credit/proposals/edit/{proposal.pk}/", {**decision, "confirmed": "1"})
    assert response.status_code == 302
    assert ListEntry.objects.get(organization=org).listed_on == D(2026, 6, 2)


def test_bureau_rejects_a_proposal_with_a_reason():
    org = OrganizationFactory()
    services.run_rules(D(2026, 6, 1))
    proposal = Proposal.objects.get(organization=org, report_year=2025)
    client = login(officer())
    client.post(
        f"/admin/credit/proposals/edit/{proposal.pk}/", {"action": "reject", "decision_reason": "已申请延期"}
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED and proposal.decision_reason == "已申请延期"


def test_bureau_records_credit_information_and_lateness_is_computed():
    org = OrganizationFactory()
    client = login(officer())
    with freeze_time(at(D(2026, 10, 14))):
        response = client.post(
            "/admin/credit/records/new/",
            {
                "organization": org.pk,
                "category": "penalty",
                "decided_on": "2026-09-30",
                "summary": "警告",
                "authority": "北京市民政局",
                "document_number": "京民罚〔2026〕3号",
                "fine_amount": "",
                "correction_reason": "",
            },
        )
    assert response.status_code == 302
    record = CreditRecord.objects.get()
    assert record.is_late and record.recorded_by is not None
    assert client.get(f"/admin/credit/records/edit/{record.pk}/").status_code in (302, 403, 404)


def test_bureau_rating_of_an_ineligible_organisation_is_refused_with_the_reason():
    org = OrganizationFactory(name="无年报协会")
    client = login(officer())
    with freeze_time(at(D(2026, 6, 10))):
        response = client.post(
            "/admin/credit/ratings/new/",
            {
                "organization": org.pk,
                "score": "960",
                "evaluating_body": "评估委员会",
                "rated_on": "2026-06-01",
                "document_number": "",
            },
        )
    assert response.status_code == 200 and "未报送2025年度工作报告" in text(response)
    assert not Rating.objects.exists()


def test_bureau_lists_and_removes_an_organisation():
    org = OrganizationFactory()
    client = login(officer())
    response = client.post(
        "/admin/credit/lists/new/",
        {
            "organization": org.pk,
            "list_type": ListType.ABNORMAL,
            "reason": ListReason.JUDGMENT_DEFAULTER,
            "listed_on": "2026-01-05",
            "authority": "北京市民政局",
            "document_number": "n",
            "note": "",
        },
    )
    assert response.status_code == 200 and "该事由不属于所选名录" in text(response)
    client.post(
        "/admin/credit/lists/new/",
        {
            "organization": org.pk,
            "list_type": ListType.ABNORMAL,
            "reason": ListReason.UNREACHABLE,
            "listed_on": "2026-01-05",
            "authority": "北京市民政局",
            "document_number": "京民异〔2026〕5号",
            "note": "",
        },
    )
    entry = ListEntry.objects.get()
    response = client.post(
        f"/admin/credit/lists/edit/{entry.pk}/",
        {
            "removed_on": "2026-02-01",
            "removal_reason": "fixed",
            "removal_document_number": "京民移〔2026〕1号",
            "removal_note": "已恢复联系",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "removed" and entry.removed_on == D(2026, 2, 1)


def test_bureau_dashboard_panel_and_filterable_warning_listing(listed_org):
    OrganizationFactory(name="即将到期协会")
    EarlyWarning.objects.refresh(D(2026, 6, 4))
    client = login(officer())
    html = text(client.get("/admin/"))
    assert "预警（" in html and "年度报告已逾期" in html
    html = text(client.get("/admin/warnings/", {"state": "open", "kind": "credit.serious_list_clock"}))
    assert listed_org.name in html and "即将到期协会" not in html
    assert EarlyWarning.objects.open().count() >= 3
    assert client.get("/admin/warnings/new/").status_code in (302, 403)
    org_member = MembershipFactory(organization=listed_org).user
    assert login(org_member).get("/admin/warnings/").status_code in (302, 403)


def test_s4_a_record_of_each_of_the_five_categories_is_stored_and_shown(client):
    """S4: basic, annual report, inspection, penalty and other information, each recorded
    through the service, is stored under its category and shown on the public credit page
    with its category, decision date and source."""
    org = OrganizationFactory(name="北京市五类信息测试协会")
    decided_on = timezone.localdate() - datetime.timedelta(days=30)
    for number, category in enumerate(Category.values, start=1):
        make_record(
            org,
            category=category,
            decided_on=decided_on,
            number=f"京民测〔{decided_on.year}〕{number}号",
            summary=f"第{number}条测试信用信息",
            fine_amount=Decimal("10000.00") if category == Category.PENALTY else None,
        )
    stored = dict(CreditRecord.objects.filter(organization=org).values_list("category", "summary"))
    assert stored == {c: f"第{n}条测试信用信息" for n, c in enumerate(Category.values, start=1)}

    html = text(client.get(f"/credit/{org.uscc}/"))
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td>\s*(第\d条测试信用信息)", html)
    shown = {summary: (label.strip(), day) for label, day, summary in rows}
    assert shown == {
        f"第{n}条测试信用信息": (str(Category(c).label), decided_on.isoformat())
        for n, c in enumerate(Category.values, start=1)
    }
    for number in range(1, 6):
        assert f"京民测〔{decided_on.year}〕{number}号" in html
