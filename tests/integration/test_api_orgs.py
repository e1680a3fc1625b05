"""The open-data API's social-organisation resources (issue 19): organisations, annual reports
with C3, credit, and the funeral complaint statistics. Contents, privacy, filters equal to the
HTML pages', and flat query counts."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from orgs.credit.models import ListReason, ListType
from orgs.credit.services import file_objection, remove_entry, uphold_objection
from orgs.registry import services as registry_services
from orgs.registry.models import OrgStatus, OrgType, RegistryChange
from orgs.reports.models import Conclusion
from orgs.reports.services.review import accept_report, return_report
from tests.factories.accounts import UserFactory
from tests.factories.cms import make_home_page
from tests.factories.credit import evidence, make_listing, make_record, officer
from tests.factories.orgs import MembershipFactory, OrganizationFactory, make_report, submitted_report

pytestmark = pytest.mark.django_db

SECRET_REASON = "历史遗留代码经核实有效（内部）"
SECRET_NOTE = "内部备注：电话核实"


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    make_home_page()


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def results(client, url, **params):
    return get(client, url, **params)["results"]


def assert_flat(client, django_assert_max_num_queries, url, grow, before, after):
    """The list's query count with ``before`` rows bounds the count with ``after`` rows (the
    view's own queries: the rendered body's cache is off, so both requests read the data)."""
    with override_settings(API_RESPONSE_CACHE_SECONDS=0):
        with django_assert_max_num_queries(40) as small:
            rows = results(client, url)
        assert len(rows) == before
        grow()
        with django_assert_max_num_queries(len(small.captured_queries)):
            rows = results(client, url)
    assert len(rows) == after
    return rows


def html_links(response, prefix):
    return re.findall(rf'<h2><a href="{prefix}([^"/]+)/">', response.content.decode())


# --- organisations ---------------------------------------------------------------------


def test_an_organisation_is_found_by_its_uscc_with_its_public_change_history(client):
    organization = OrganizationFactory(name="北京市朝阳区养老服务协会", registered_funds=Decimal("300000.00"))
    registry_services.record_change(
        organization,
        RegistryChange.Item.LEGAL_REPRESENTATIVE,
        "王新",
        changed_on=datetime.date(2024, 6, 1),
        user=UserFactory(),
        note=SECRET_NOTE,
    )
    data = get(client, f"/api/v1/organisations/{organization.uscc.lower()}/")
    assert data["uscc"] == organization.uscc
    assert data["name"] == "北京市朝阳区养老服务协会"
    assert data["registered_funds"] == "300000.00"
    assert data["legal_representative"] == "王新"
    assert data["changes"] == [
        {
            "changed_on": "2024-06-01",
            "item": "legal_representative",
            "item_display": "法定代表人",
            "before": "测试法人",
            "after": "王新",
        }
    ]
    assert data["profile_url"] == f"/orgs/{organization.uscc}/"
    assert client.get("/api/v1/organisations/91110000MA00000000/").status_code == 404


def test_an_organisations_non_public_fields_never_appear_in_any_output(client):
    clerk = UserFactory(mobile="13800000077")
    organization = OrganizationFactory(uscc_override_reason=SECRET_REASON, uscc_override_by=clerk)
    MembershipFactory(organization=organization, user=UserFactory(mobile="13900000088"))
    registry_services.record_change(
        organization,
        RegistryChange.Item.DOMICILE,
        "北京市朝阳区新址1号",
        changed_on=datetime.date(2025, 1, 2),
        user=clerk,
        note=SECRET_NOTE,
    )
    outputs = [
        client.get("/api/v1/organisations/").content.decode(),
        client.get(f"/api/v1/organisations/{organization.uscc}/").content.decode(),
        client.get(f"/api/v1/credit/{organization.uscc}/").content.decode(),
    ]
    for text in outputs:
        for secret in (
            SECRET_REASON,
            SECRET_NOTE,
            "13800000077",
            "13900000088",
            "uscc_override",
            "recorded_by",
        ):
            assert secret not in text


def test_organisation_filters_give_the_html_registrys_results(client):
    OrganizationFactory(name="北京市朝阳区养老服务协会")
    OrganizationFactory(name="北京市海淀区智慧养老研究院", org_type=OrgType.SOCIAL_SERVICE)
    OrganizationFactory(name="北京市西城区志愿服务联合会")
    OrganizationFactory(name="北京市东城区养老互助会", status=OrgStatus.REVOKED)
    for query in ({"q": "养老"}, {"q": "养老", "status": "normal"}, {"org_type": "social_service"}, {}):
        html = sorted(html_links(client.get("/orgs/", query), "/orgs/"))
        api = sorted(row["uscc"] for row in results(client, "/api/v1/organisations/", **query))
        assert api == html, query
    assert len(results(client, "/api/v1/organisations/", q="养老", status="normal")) == 2


def test_organisation_list_queries_stay_flat(client, django_assert_max_num_queries):
    def build(n):
        for i in range(n):
            organization = OrganizationFactory()
            registry_services.record_change(
                organization,
                RegistryChange.Item.DOMICILE,
                f"新址{i}",
                changed_on=datetime.date(2025, 1, 2),
                user=None,
            )

    build(1)
    assert_flat(client, django_assert_max_num_queries, "/api/v1/organisations/", lambda: build(15), 1, 16)


# --- annual reports and C3 -------------------------------------------------------------------


def charity(**kwargs):
    return OrganizationFactory(
        org_type=OrgType.FOUNDATION,
        charity_recognized_on=datetime.date(2017, 1, 1),
        public_fundraising=True,
        **kwargs,
    )


def accepted(organization, year, **figures):
    report, _submission = submitted_report(organization, year, **figures)
    accept_report(report, conclusion=Conclusion.QUALIFIED, user=officer())
    report.refresh_from_db()
    return report


def c3_figures(previous_income, charitable, admin, total):
    return {
        "previous_year_income": Decimal(previous_income),
        "charitable_spending": Decimal(charitable),
        "expense_administration": Decimal(admin),
        "expense_fundraising": Decimal("0.00"),
        "expense_other": Decimal("0.00"),
        "expense_business": Decimal(total) - Decimal(admin),
        "expense_total": Decimal(total),
    }


@pytest.mark.parametrize("language", ["zh-hans"])
def test_c3_an_accepted_reports_ratios_are_the_ones_the_rules_compute(client, language):
    foundation = charity(name="北京市测试慈善基金会")
    try:
        report = accepted(
            foundation, 2025, **c3_figures("1000000.00", "650000.00", "300000.00", "2000000.00")
        )
    except Exception as error:  # the figures must balance; the factory says how
        pytest.fail(f"could not build the report: {error}")
    data = get(client, f"/api/v1/annual-reports/{foundation.uscc}-2025/")
    assert data["key"] == f"{foundation.uscc}-2025"
    assert data["conclusion"] == "qualified"
    assert data["income_total"] == f"{report.income_total:.2f}"
    spending, admin = data["c3"]
    assert spending["key"] == "charitable_spending"
    assert spending["actual"] == "0.6500" and spending["actual_percent"] == "65.0"
    assert spending["limit"] == "0.7000" and spending["is_minimum"] is True
    assert spending["ok"] is False  # 65% of last year's income is below the 70% minimum
    assert admin["key"] == "admin_costs"
    assert admin["actual"] == "0.1500" and admin["ok"] is False  # 15% > 10% for a foundation
    # The list gives the same figures as the record.
    listed = results(client, "/api/v1/annual-reports/", uscc=foundation.uscc)
    assert listed == [data]


def test_only_accepted_reports_are_published(client):
    organization = OrganizationFactory()
    accepted(organization, 2024)
    submitted, _s = submitted_report(organization, 2025)
    draft = make_report(OrganizationFactory(), 2025)
    returned_org = OrganizationFactory()
    returned, _s = submitted_report(returned_org, 2025)
    return_report(returned, reasons="财务报表不平衡", user=officer())
    keys = [row["key"] for row in results(client, "/api/v1/annual-reports/")]
    assert keys == [f"{organization.uscc}-2024"]
    for report in (submitted, draft, returned):
        url = f"/api/v1/annual-reports/{report.organization.uscc}-{report.year}/"
        assert client.get(url).status_code == 404


def test_annual_report_list_queries_stay_flat(client, django_assert_max_num_queries):
    accepted(charity(), 2025, **c3_figures("1000000.00", "800000.00", "100000.00", "1500000.00"))

    def grow():
        for _i in range(6):
            organization = charity()
            accepted(organization, 2024)
            accepted(organization, 2025)

    rows = assert_flat(client, django_assert_max_num_queries, "/api/v1/annual-reports/", grow, 1, 13)
    assert all(len(row["c3"]) == 2 for row in rows)


# --- credit ------------------------------------------------------------------------------


def test_credit_shows_list_entries_with_reason_and_date_ratings_and_corrections(client):
    organization = OrganizationFactory(name="北京市测试信用协会")
    member = UserFactory()
    MembershipFactory(organization=organization, user=member)
    entry = make_listing(
        organization,
        listed_on=datetime.date(2025, 7, 1),
        list_type=ListType.ABNORMAL,
        reason=ListReason.UNREACHABLE,
    )
    record = make_record(organization, decided_on=datetime.date(2026, 4, 20), summary="原记录内容")
    objection = file_objection(
        record, user=member, grounds="异议理由：检查对象错误（内部）", evidence=evidence()
    )
    uphold_objection(objection, user=officer(), reason="检查对象有误", summary="更正后的记录内容")
    data = get(client, f"/api/v1/credit/{organization.uscc}/")
    assert data["on_abnormal_list"] is True and data["on_serious_list"] is False
    (listed,) = data["list_entries"]
    assert listed["list_type"] == "abnormal"
    assert listed["reason"] == ListReason.UNREACHABLE
    assert listed["reason_display"] == str(ListReason.UNREACHABLE.label)
    assert listed["listed_on"] == "2025-07-01"
    assert listed["document_number"] == entry.document_number
    assert listed["is_current"] is True
    correction, original = data["records"]
    assert original["summary"] == "原记录内容" and original["corrected"] is True
    assert correction["summary"] == "更正后的记录内容"
    assert correction["corrects"] == {"decided_on": "2026-04-20", "document_number": record.document_number}
    assert correction["correction_reason"] == "异议成立：检查对象有误"
    text = json.dumps(data, ensure_ascii=False)
    assert "异议理由" not in text and "grounds" not in text and "evidence" not in text


def test_credit_shows_a_removed_entry_with_its_removal(client):
    organization = OrganizationFactory()
    entry = make_listing(organization, listed_on=datetime.date(2024, 3, 1))
    remove_entry(
        entry,
        removal_reason="fixed",
        removed_on=datetime.date(2024, 9, 1),
        document_number="京民移〔2024〕1号",
        user=officer(),
        note=SECRET_NOTE,
    )
    data = get(client, f"/api/v1/credit/{organization.uscc}/")
    assert data["on_abnormal_list"] is False
    (past,) = data["list_entries"]
    assert past["is_current"] is False and past["status"] == "removed"
    assert past["listed_on"] == "2024-03-01" and past["removed_on"] == "2024-09-01"
    assert past["removal_reason"] == "fixed" and past["removal_document_number"] == "京民移〔2024〕1号"
    assert SECRET_NOTE not in json.dumps(data, ensure_ascii=False)
    assert results(client, "/api/v1/credit/", listed="abnormal") == []


def test_credit_lookup_filter_gives_the_credit_pages_results(client):
    a = OrganizationFactory(name="北京市阳光助老协会")
    OrganizationFactory(name="北京市阳光助学会")
    OrganizationFactory(name="北京市绿色家园协会")
    make_listing(a, listed_on=datetime.date(2025, 7, 1))
    # A name word, a full USCC, a common word, and an 18-character code no organisation has.
    unknown_code = "911100000000000001"
    for q in ("阳光", a.uscc, "协会", unknown_code):
        html = sorted(html_links(client.get("/credit/", {"q": q}), "/credit/"))
        api = sorted(row["uscc"] for row in results(client, "/api/v1/credit/", q=q))
        assert api == html, q
    assert [row["uscc"] for row in results(client, "/api/v1/credit/", listed="abnormal")] == [a.uscc]


def test_credit_list_queries_stay_flat(client, django_assert_max_num_queries):
    def build():
        organization = OrganizationFactory()
        make_listing(organization, listed_on=datetime.date(2025, 7, 1))
        make_record(organization)
        return organization

    build()
    rows = assert_flat(
        client, django_assert_max_num_queries, "/api/v1/credit/", lambda: [build() for _i in range(8)], 1, 9
    )
    assert all(row["on_abnormal_list"] and len(row["records"]) == 1 for row in rows)


def test_credit_shows_ratings_with_their_validity(client):
    from orgs.credit.models import Rating
    from orgs.credit.services import expiry_for, grade_for

    organization = OrganizationFactory()
    today = timezone.localdate()
    for rated_on, score in (
        (today.replace(year=today.year - 8), "820.0"),
        (today.replace(year=today.year - 1), "905.5"),
    ):
        Rating.objects.create(
            organization=organization,
            score=Decimal(score),
            grade=grade_for(Decimal(score)),
            evaluating_body="北京市社会组织评估委员会",
            rated_on=rated_on,
            expires_on=expiry_for(rated_on),
            document_number=f"京民评〔{rated_on.year}〕3号",
            recorded_by=officer(),
        )
    current, old = get(client, f"/api/v1/credit/{organization.uscc}/")["ratings"]
    assert current["score"] == "905.5" and current["expired"] is False
    assert old["score"] == "820.0" and old["expired"] is True
    assert old["document_number"] == f"京民评〔{today.year - 8}〕3号"
    assert "recorded_by" not in current


# --- complaint statistics (marketplace.feedback) ---------------------------------------------


def _complaint(provider, decision=None):
    from django.contrib.auth.models import Group

    from accounts.groups import FUNERAL_SECTION
    from marketplace.feedback.services import complaints as service
    from tests.factories.orders import family_user

    bureau = UserFactory(is_staff=True)
    bureau.groups.add(Group.objects.get(name=FUNERAL_SECTION))
    complaint = service.file_complaint(
        user=family_user(),
        provider=provider,
        category="quality",
        text="私密的投诉内容：告别厅迟到",
        contact_name="王丽",
    )
    if decision:
        complaint = service.accept(complaint, bureau)
        complaint = service.respond(complaint, UserFactory(), "答复")
        complaint = service.decide(complaint, bureau, decision, "决定")
    return complaint


def test_r2_complaint_statistics_are_the_stats_pages_figures_and_counts_only(client):
    from marketplace.feedback.models import ComplaintDecision
    from marketplace.feedback.services import stats
    from tests.factories.catalogue import ProviderFactory

    provider = ProviderFactory(name="乙殡仪馆")
    quiet = ProviderFactory(name="丙殡仪馆")
    _complaint(provider, ComplaintDecision.UPHELD)
    _complaint(provider, ComplaintDecision.NOT_UPHELD)
    _complaint(provider)
    data = get(client, f"/api/v1/complaint-statistics/{provider.slug}/")
    start, end = stats.window()
    assert (data["period_start"], data["period_end"]) == (start.isoformat(), end.isoformat())
    figures = data["figures"]
    assert (figures["received"], figures["accepted"], figures["upheld"]) == (3, 2, 1)
    assert figures["upheld_rate"] == "50.0"
    listed = {row["slug"]: row for row in results(client, "/api/v1/complaint-statistics/")}
    assert listed[provider.slug] == data
    assert listed[quiet.slug]["figures"]["received"] == 0
    # The same figures as the open-data rows of /funeral/complaints/stats/.
    _table, rows = stats.open_data_rows()
    row = next(r for r in rows if r["provider_slug"] == provider.slug)
    assert (row["received"], row["upheld"], str(row["upheld_rate"])) == (3, 1, "50.0")
    text = client.get("/api/v1/complaint-statistics/").content.decode()
    assert "私密的投诉内容" not in text and "王丽" not in text


def test_r2_complaint_statistics_list_queries_stay_flat(client, django_assert_max_num_queries):
    from tests.factories.catalogue import ProviderFactory

    _complaint(ProviderFactory())
    assert_flat(
        client,
        django_assert_max_num_queries,
        "/api/v1/complaint-statistics/",
        lambda: [_complaint(ProviderFactory()) for _i in range(5)],
        1,
        6,
    )
