"""The bureau's annual-report review queue (issue 23, points 1, 7 and 9), and the exports of the
registry and charity listings.

The queue opens on the reports waiting for review, sorted by their S3 review deadline, each row
counting down in working days from the holiday calendar; accepting a report is confirmed on a
summary first; the audit trail reads in Chinese; every listing exports its filtered rows."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from accounts.groups import SOCIAL_ORG_SECTION
from core.admin_queues import registered_queues
from core.statemachine import TRANSITION_ACTION
from orgs.registry.models import District, OrgType
from orgs.reports.models import AnnualReport, CalendarDay, ReportStatus, ReviewDecision
from orgs.reports.services import submit_report
from orgs.reports.services.review import accept_report, return_report
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.charity import CharityProjectFactory, DonationFactory
from tests.factories.orgs import OrganizationFactory, make_report, submitted_report

pytestmark = pytest.mark.django_db

QUEUE = "/admin/reports/review/"
NAMES = ("超期协会", "今日协会", "近期基金会", "假期协会", "退回协会", "草稿协会", "已审核协会")


@pytest.fixture(autouse=True)
def _attachments(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"


@pytest.fixture
def officer():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=SOCIAL_ORG_SECTION))
    return user


def login(user):
    client = Client()
    assert client.login(username=user.mobile, password=PASSWORD)
    return client


def today():
    return timezone.localdate()


def weekdays_after(start, count):
    """The first ``count`` Monday–Friday dates after ``start``."""
    days, day = [], start
    while len(days) < count:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


@pytest.fixture
def calendar():
    """A holiday on the 2nd and 3rd weekdays after today, and a make-up working day on the
    first Saturday after today: the bureau's calendar, not the plain week, decides."""
    start = today()
    CalendarDay.objects.filter(date__gte=start - datetime.timedelta(days=200)).delete()
    holidays = weekdays_after(start, 3)[1:]
    saturday = start + datetime.timedelta(days=(5 - start.weekday()) % 7 or 7)
    for day in holidays:
        CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.HOLIDAY, name="测试假期")
    CalendarDay.objects.create(date=saturday, kind=CalendarDay.Kind.WORKDAY, name="测试调休")
    return {"holidays": set(holidays), "workdays": {saturday}}


def expected_working_days(calendar, due):
    """Working days in (today, due], counted here from the calendar independently of the code."""
    day, count = today(), 0
    while day < due:
        day += datetime.timedelta(days=1)
        if day in calendar["workdays"] or (day.weekday() < 5 and day not in calendar["holidays"]):
            count += 1
    return count


def set_due(report, due):
    AnnualReport.objects.filter(pk=report.pk).update(review_due=due)


@pytest.fixture
def queue_data(calendar):
    """Four reports waiting for review with known deadlines, and three that are not waiting."""
    t = today()
    overdue, _ = submitted_report(OrganizationFactory(name="超期协会"))
    set_due(overdue, t - datetime.timedelta(days=150))  # passed five months ago
    due_today, _ = submitted_report(OrganizationFactory(name="今日协会"), year=2024)
    set_due(due_today, t)
    soon, _ = submitted_report(OrganizationFactory(name="近期基金会", org_type=OrgType.FOUNDATION))
    set_due(soon, t + datetime.timedelta(days=7))
    holiday, _ = submitted_report(OrganizationFactory(name="假期协会", district=District.HAIDIAN))
    set_due(holiday, t + datetime.timedelta(days=14))
    returned, _ = submitted_report(OrganizationFactory(name="退回协会"))
    return_report(returned, reasons="缺少审计报告", user=UserFactory())
    make_report(OrganizationFactory(name="草稿协会"))
    accepted, _ = submitted_report(OrganizationFactory(name="已审核协会"))
    accept_report(accepted, conclusion="qualified", user=UserFactory())
    return {"overdue": overdue, "today": due_today, "soon": soon, "holiday": holiday}


def listed(client, **params):
    html = client.get(QUEUE, params).content.decode()
    return {name for name in NAMES if name in html}


def row_of(html, name):
    rows = [row for row in html.split("<tr") if name in row]
    assert len(rows) == 1, name
    return rows[0]


# --- S3: the queue ---------------------------------------------------------------------------


def test_s3_queue_opens_on_waiting_reports_sorted_by_review_deadline(officer, queue_data, calendar):
    html = login(officer).get(QUEUE).content.decode()
    positions = [html.index(name) for name in ("超期协会", "今日协会", "近期基金会", "假期协会")]
    assert positions == sorted(positions)
    for name in ("退回协会", "草稿协会", "已审核协会"):
        assert name not in html
    assert "export=csv" in html and "export=xlsx" in html  # the listing offers its exports


def test_s3_countdowns_follow_the_holiday_calendar_and_mark_the_overdue(officer, queue_data, calendar):
    t = today()
    html = login(officer).get(QUEUE).content.decode()
    assert "已超期 150 天" in row_of(html, "超期协会")
    assert 'data-countdown="overdue"' in row_of(html, "超期协会")
    assert "今日到期" in row_of(html, "今日协会")
    for name, days in (("近期基金会", 7), ("假期协会", 14)):
        due = t + datetime.timedelta(days=days)
        expected = expected_working_days(calendar, due)
        plain = sum(1 for i in range(1, days + 1) if (t + datetime.timedelta(days=i)).weekday() < 5)
        # Two holidays off and one make-up Saturday on: the calendar changes the count.
        assert expected == plain - 1
        assert f"剩余 {expected} 个工作日" in row_of(html, name)
        assert due.isoformat() in row_of(html, name)


def test_s3_queue_filters_by_view_state_type_district_and_year(officer, queue_data):
    client = login(officer)
    assert listed(client) == {"超期协会", "今日协会", "近期基金会", "假期协会"}
    assert listed(client, view="all") == set(NAMES)
    assert listed(client, view="overdue") == {"超期协会"}
    assert listed(client, view="closed") == {"退回协会", "草稿协会", "已审核协会"}
    assert listed(client, view="all", state="returned") == {"退回协会"}
    assert listed(client, kind=OrgType.FOUNDATION) == {"近期基金会"}
    assert listed(client, district=District.HAIDIAN) == {"假期协会"}
    assert listed(client, year="2024") == {"今日协会"}
    AnnualReport.objects.update(is_late=False, c3_breach=False)
    AnnualReport.objects.filter(pk=queue_data["soon"].pk).update(is_late=True)
    AnnualReport.objects.filter(pk=queue_data["holiday"].pk).update(c3_breach=True)
    assert listed(client, is_late="1") == {"近期基金会"}
    assert listed(client, c3_breach="1") == {"假期协会"}
    assert listed(client, c3_breach="0") == {"超期协会", "今日协会", "近期基金会"}


def test_s3_queue_is_registered_for_the_social_organisation_section(officer, queue_data):
    queue = next(q for q in registered_queues() if q.key == "reports_review")
    assert queue.section == SOCIAL_ORG_SECTION
    assert officer.has_perm(queue.permission)
    counts = queue.counts()
    assert counts["open"] == 4 and counts["overdue"] == 1
    stats = queue.monthly_statistics()
    # This month: the return and the acceptance of the fixture are two decisions, both on time.
    assert stats[0]["decided"] == 2 and stats[0]["on_time_share"] == 1


def test_s3_listing_query_count_is_flat(officer, django_assert_max_num_queries):
    client = login(officer)
    first, _ = submitted_report(OrganizationFactory(name="第一协会"))
    client.get(QUEUE)  # warm the session and the caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert "第一协会" in client.get(QUEUE).content.decode()
    for n in range(19):
        submitted_report(OrganizationFactory(name=f"批量协会{n}"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(QUEUE).content.decode()
    assert html.count('data-countdown="') == 20


# --- Confirmed decisions and the audit trail ----------------------------------------------------


def transitions(report):
    return ModelLogEntry.objects.filter(action=TRANSITION_ACTION, object_id=str(report.pk)).order_by("pk")


def test_review_page_starts_with_no_conclusion_chosen_and_an_empty_comment(officer):
    report, _ = submitted_report(OrganizationFactory())
    html = login(officer).get(f"{QUEUE}edit/{report.pk}/").content.decode()
    select = re.search(r'<select name="conclusion".*?</select>', html, re.S).group(0)
    assert "selected" not in select.split("</option>", 1)[1]  # only the empty prompt is selected
    assert re.search(r'<textarea name="comment"[^>]*>\s*</textarea>', html)


def test_s3_accepting_shows_a_summary_first_and_only_the_second_post_decides(officer):
    org = OrganizationFactory(name="确认测试协会")
    report, submission = submitted_report(org)
    client = login(officer)
    url = f"{QUEUE}edit/{report.pk}/"
    before = transitions(report).count()

    response = client.post(url, {"action": "accept", "conclusion": "qualified", "comment": "材料齐全"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "确认测试协会" in html and org.uscc in html and "2025" in html
    assert 'data-conclusion="qualified"' in html and "合格" in html
    assert "S4" in html and "S5" in html  # the consequences under the rules
    assert submission.receipt_number in html
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.conclusion == ""
    assert not ReviewDecision.objects.exists() and transitions(report).count() == before

    response = client.post(
        url,
        {
            "action": "accept",
            "conclusion": "qualified",
            "comment": "材料齐全",
            "submission": str(submission.pk),
            "confirmed": "1",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.conclusion == "qualified"
    assert ReviewDecision.objects.get().comment == "材料齐全"
    assert transitions(report).count() == before + 1  # audited once


def test_s3_a_confirmation_for_an_older_submission_decides_nothing(officer):
    report, submission = submitted_report(OrganizationFactory())
    client = login(officer)
    response = client.post(
        f"{QUEUE}edit/{report.pk}/",
        {
            "action": "accept",
            "conclusion": "qualified",
            "submission": str(submission.pk + 999),
            "confirmed": "1",
        },
    )
    assert response.status_code == 409
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and not ReviewDecision.objects.exists()


def test_s3_unqualified_summary_names_the_s5_ground_and_a_missing_conclusion_is_refused(officer):
    report, _ = submitted_report(OrganizationFactory())
    client = login(officer)
    url = f"{QUEUE}edit/{report.pk}/"
    html = client.post(url, {"action": "accept", "conclusion": "unqualified"}).content.decode()
    assert "年度报告不符合规定" in html and "不会自动列入" in html
    response = client.post(url, {"action": "accept", "conclusion": "", "confirmed": "1"})
    assert response.status_code == 400 and "请选择年检结论" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_report_decisions_read_in_chinese_in_the_audit_trail(officer):
    report, _ = submitted_report(OrganizationFactory())
    client = login(officer)
    url = f"{QUEUE}edit/{report.pk}/"
    client.post(url, {"action": "return", "reasons": "请补充审计报告"})
    submit_report(report, user=report.created_by)
    latest = AnnualReport.objects.get(pk=report.pk).latest_submission
    client.post(
        url,
        {
            "action": "accept",
            "conclusion": "basically_qualified",
            "submission": str(latest.pk),
            "confirmed": "1",
        },
    )
    returned, resubmitted, accepted = [entry.message for entry in transitions(report)][1:]
    assert "待审核" in returned and "已退回" in returned and "请补充审计报告" in returned
    assert "补正截止日期" in returned  # what changed besides the state
    assert "已退回" in resubmitted and "待审核" in resubmitted
    assert "已审核" in accepted and "年检结论" in accepted and "基本合格" in accepted
    for message in (returned, resubmitted, accepted):
        assert not re.search(r"submitted|returned|accepted|basically_qualified", message)


# --- Exports ---------------------------------------------------------------------------------


def parse_csv(response):
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def parse_xlsx(response):
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)]


def test_queue_exports_the_filtered_rows_in_beijing_time_and_formula_safe(officer, queue_data):
    hostile = OrganizationFactory(name='=HYPERLINK("http://x","协会")', district=District.HAIDIAN)
    report, _ = submitted_report(hostile)
    AnnualReport.objects.filter(pk=report.pk).update(
        last_submitted_at=datetime.datetime(2026, 12, 1, 22, 37, tzinfo=datetime.UTC)
    )
    client = login(officer)
    rows = parse_csv(client.get(QUEUE, {"district": District.HAIDIAN, "export": "csv"}))
    heading, body = rows[0], rows[1:]
    assert heading[:3] == ["社会组织", "统一社会信用代码", "报告年度"] and "办理期限" in heading
    assert sorted(row[0] for row in body) == sorted(["'" + hostile.name, "假期协会"])
    hostile_row = next(row for row in body if row[1] == hostile.uscc)
    assert hostile_row[heading.index("最近提交时间")].startswith("2026-12-02 06:37")
    assert hostile_row[heading.index("状态")] == "待审核"
    assert hostile_row[heading.index("所在区")] == "海淀区"
    assert re.fullmatch(r"剩余 \d+ 个工作日", hostile_row[heading.index("办理期限")])

    sheet = parse_xlsx(client.get(QUEUE, {"district": District.HAIDIAN, "export": "xlsx"}))
    assert sheet[0] == heading
    assert sorted(row[0] for row in sheet[1:]) == sorted([hostile.name, "假期协会"])
    xlsx_row = next(row for row in sheet[1:] if row[1] == hostile.uscc)
    assert xlsx_row[heading.index("最近提交时间")] == datetime.datetime(2026, 12, 2, 6, 37)
    # The overdue export keeps to the overdue rows.
    overdue = parse_csv(client.get(QUEUE, {"view": "overdue", "export": "csv"}))
    assert [row[0] for row in overdue[1:]] == ["超期协会"]


def test_registry_and_charity_listings_export_filtered_rows_with_chinese_headings():
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    OrganizationFactory(name="朝阳协会")
    haidian = OrganizationFactory(name="=1+1海淀协会", district=District.HAIDIAN, org_type=OrgType.FOUNDATION)
    rows = parse_csv(
        client.get("/admin/registry/organizations/", {"district": District.HAIDIAN, "export": "csv"})
    )
    assert rows[0][:3] == ["名称", "统一社会信用代码", "组织类型"]
    assert [row[0] for row in rows[1:]] == ["'=1+1海淀协会"]
    assert rows[1][2] == "基金会" and rows[1][3] == "海淀区"
    sheet = parse_xlsx(
        client.get("/admin/registry/organizations/", {"org_type": "foundation", "export": "xlsx"})
    )
    assert [row[0] for row in sheet[1:]] == [haidian.name]

    project = CharityProjectFactory(name="冬衣行动", organization__district=District.HAIDIAN)
    CharityProjectFactory(name="助学行动", status="completed")
    donation = DonationFactory(project=project, receipt_number="EXP-1")
    timestamp = datetime.datetime(2026, 12, 1, 22, 37, tzinfo=datetime.UTC)
    type(donation).objects.filter(pk=donation.pk).update(created_at=timestamp)
    DonationFactory(receipt_number="EXP-2")
    rows = parse_csv(client.get("/admin/charity/projects/", {"status": "fundraising", "export": "csv"}))
    assert rows[0][0] == "项目名称" and [row[0] for row in rows[1:]].count("助学行动") == 0
    assert "冬衣行动" in [row[0] for row in rows[1:]]
    rows = parse_csv(client.get("/admin/charity/donations/", {"district": District.HAIDIAN, "export": "csv"}))
    assert rows[0][:2] == ["票据号", "慈善组织"]
    assert [row[0] for row in rows[1:]] == ["EXP-1"]
    assert rows[1][rows[0].index("公开时间")].startswith("2026-12-02 06:37")
    sheet = parse_xlsx(
        client.get("/admin/charity/donations/", {"district": District.HAIDIAN, "export": "xlsx"})
    )
    assert [row[0] for row in sheet[1:]] == ["EXP-1"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/reports/calendar/",
        "/admin/registry/changes/",
        "/admin/registry/supervising-units/",
        "/admin/charity/expenditures/",
        "/admin/charity/reports/",
        "/admin/charity/basic-info/",
    ],
)
def test_every_other_listing_exports_csv_with_chinese_headings(url):
    client = Client()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    rows = parse_csv(client.get(url, {"export": "csv"}))
    assert rows[0] and all(re.search(r"[\u4e00-\u9fff]", heading) for heading in rows[0])


def test_staff_outside_the_section_can_neither_list_nor_export_the_queue(queue_data):
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="内容编辑"))
    client = login(editor)
    for params in ({}, {"export": "csv"}, {"export": "xlsx"}):
        response = client.get(QUEUE, params)
        assert response.status_code in (302, 403)
        assert "超期协会".encode() not in b"".join(getattr(response, "streaming_content", [response.content]))
