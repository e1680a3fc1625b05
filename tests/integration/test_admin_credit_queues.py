"""The social-organisation section's credit queues in the admin (issue 23, points 1, 2, 7, 9):
proposals (S5, S6) and objections (S8) open on the open items sorted by deadline, with
working-day countdowns from the calendar; bulk decisions through the single-item service;
the confirmation step; audit text in Chinese; safe exports of the filtered listings."""

import csv
import datetime
import importlib
import io
import re

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts.groups import CONTENT_EDITOR
from orgs.credit import services
from orgs.credit.audit import DECISION_ACTION
from orgs.credit.models import (
    Category,
    ListEntry,
    ListReason,
    ListType,
    Objection,
    Proposal,
    ProposalAction,
    ProposalStatus,
    Rule,
)
from orgs.registry.models import District
from orgs.reports.models import CalendarDay
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.cms import make_home_page
from tests.factories.credit import evidence, make_record, officer
from tests.factories.orgs import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
D = datetime.date
PROPOSALS = "/admin/credit/proposals/"
OBJECTIONS = "/admin/credit/objections/"
BULK = "/admin/bulk/credit/proposal/decide/"


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


def expected_working_days(start, end):
    """Working days after ``start`` up to ``end``, counted here from the calendar table itself
    (weekends off, holidays off, make-up days on), not through the code under test."""
    special = dict(CalendarDay.objects.filter(date__gt=start, date__lte=end).values_list("date", "kind"))
    day, total = start, 0
    while day < end:
        day += datetime.timedelta(days=1)
        kind = special.get(day)
        if kind == CalendarDay.Kind.WORKDAY or (kind is None and day.weekday() < 5):
            total += 1
    return total


def add_expected_working_days(start, n):
    day = start
    while expected_working_days(start, day) < n:
        day += datetime.timedelta(days=1)
    return day


def make_proposal(org, *, due_on, status=ProposalStatus.PENDING, rule=Rule.S5_LIST_OVERDUE_REPORT, year=2025):
    today = timezone.localdate()
    action = ProposalAction.REMOVE if "remove" in rule else ProposalAction.LIST
    return Proposal.objects.create(
        rule=rule,
        action=action,
        list_type=ListType.SERIOUS if rule.startswith("s6") else ListType.ABNORMAL,
        reason=ListReason.REPORT_NOT_FILED if action == ProposalAction.LIST else "",
        organization=org,
        report_year=year,
        facts={"year": year},
        fingerprint=f"{org.pk}-{rule}-{year}",
        proposed_on=today - datetime.timedelta(days=20),
        due_on=due_on,
        status=status,
    )


@pytest.fixture
def queue():
    """A known queue: overdue, due after a holiday, far off, no deadline, and a closed one
    whose deadline is the earliest of all (it must not lead the default listing)."""
    today = timezone.localdate()
    # A holiday on the first weekday after today that the calendar doesn't already mark.
    holiday = today + datetime.timedelta(days=1)
    while holiday.weekday() >= 5 or CalendarDay.objects.filter(date=holiday).exists():
        holiday += datetime.timedelta(days=1)
    CalendarDay.objects.create(date=holiday, kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
    near_due = holiday + datetime.timedelta(days=7)
    orgs = {
        "overdue": OrganizationFactory(name="北京市逾期待办协会", district=District.CHAOYANG),
        "near": OrganizationFactory(name="北京市节后到期协会", district=District.HAIDIAN),
        "far": OrganizationFactory(name="北京市远期协会", district=District.CHAOYANG),
        "closed": OrganizationFactory(name="北京市已办结协会", district=District.CHAOYANG),
    }
    proposals = {
        "overdue": make_proposal(orgs["overdue"], due_on=today - datetime.timedelta(days=3)),
        "near": make_proposal(orgs["near"], due_on=near_due, rule=Rule.S5_REMOVE_FIXED),
        "far": make_proposal(orgs["far"], due_on=today + datetime.timedelta(days=60)),
        "closed": make_proposal(
            orgs["closed"], due_on=today - datetime.timedelta(days=30), status=ProposalStatus.REJECTED
        ),
    }
    return {"today": today, "holiday": holiday, "near_due": near_due, "orgs": orgs, "proposals": proposals}


# --- Deadlines are set when an item is made, and backfilled ------------------------------------


def test_s5_listing_proposal_gets_its_decision_deadline_when_created(settings):
    settings.S5_LISTING_DECISION_WORKING_DAYS = 7
    org = OrganizationFactory()
    services.run_rules(D(2026, 6, 1))
    proposal = Proposal.objects.get(organization=org, rule=Rule.S5_LIST_OVERDUE_REPORT, report_year=2025)
    assert proposal.proposed_on == D(2026, 6, 1)
    assert proposal.due_on == add_expected_working_days(D(2026, 6, 1), 7)


def test_s8_objection_gets_its_deadline_on_filing(settings):
    settings.S8_OBJECTION_DECISION_WORKING_DAYS = 10
    member = MembershipFactory()
    objection = services.file_objection(
        make_record(member.organization), user=member.user, grounds="不认可", evidence=evidence()
    )
    assert objection.due_on == add_expected_working_days(timezone.localdate(), 10)


def test_migration_backfills_missing_proposal_and_objection_deadlines(settings):
    settings.S5_LISTING_DECISION_WORKING_DAYS = 5
    settings.S8_OBJECTION_DECISION_WORKING_DAYS = 10
    org = OrganizationFactory()
    proposal = make_proposal(org, due_on=None)
    member = MembershipFactory()
    objection = services.file_objection(
        make_record(member.organization), user=member.user, grounds="g", evidence=evidence()
    )
    Objection.objects.filter(pk=objection.pk).update(due_on=None)
    migration = importlib.import_module("orgs.credit.migrations.0003_queue_deadlines")
    migration.backfill_deadlines(django_apps, None)
    proposal.refresh_from_db()
    objection.refresh_from_db()
    assert proposal.due_on == add_expected_working_days(proposal.proposed_on, 5)
    assert objection.due_on == add_expected_working_days(timezone.localdate(objection.filed_at), 10)


# --- The proposals queue --------------------------------------------------------------------------


def test_queue_opens_on_open_items_sorted_by_deadline_with_countdowns(queue):
    html = text(login(officer()).get(PROPOSALS))
    names = [queue["orgs"][key].name for key in ("overdue", "near", "far")]
    positions = [html.index(name) for name in names]
    assert positions == sorted(positions)
    assert queue["orgs"]["closed"].name not in html
    assert "已超期 3 天" in html
    # The holiday inside the span is not a working day: the countdown reads it from the calendar.
    remaining = expected_working_days(queue["today"], queue["near_due"])
    assert remaining < (queue["near_due"] - queue["today"]).days
    assert f"剩余 {remaining} 个工作日" in html
    assert queue["near_due"].isoformat() in html


def test_queue_filters_by_view_district_type_and_state(queue):
    client = login(officer())
    html = text(client.get(PROPOSALS, {"district": District.HAIDIAN}))
    assert queue["orgs"]["near"].name in html and queue["orgs"]["overdue"].name not in html
    html = text(client.get(PROPOSALS, {"kind": Rule.S5_REMOVE_FIXED}))
    assert queue["orgs"]["near"].name in html and queue["orgs"]["far"].name not in html
    html = text(client.get(PROPOSALS, {"view": "overdue"}))
    assert queue["orgs"]["overdue"].name in html and queue["orgs"]["near"].name not in html
    assert queue["orgs"]["closed"].name not in html
    html = text(client.get(PROPOSALS, {"view": "all", "state": ProposalStatus.REJECTED}))
    assert queue["orgs"]["closed"].name in html and queue["orgs"]["overdue"].name not in html


def test_queue_listing_keeps_a_flat_number_of_queries(queue, django_assert_max_num_queries):
    client = login(officer())
    client.get(PROPOSALS)  # warm the session and the site
    with django_assert_max_num_queries(25) as few:
        client.get(PROPOSALS)
    for index in range(15):
        make_proposal(
            OrganizationFactory(),
            due_on=queue["today"] + datetime.timedelta(days=index),
            year=2020 + index % 5,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PROPOSALS)
    assert text(response).count('data-countdown="') >= 18


def test_objection_queue_has_deadlines_and_filters(settings):
    member = MembershipFactory(
        organization=OrganizationFactory(name="北京市异议协会", district=District.HAIDIAN)
    )
    objection = services.file_objection(
        make_record(member.organization, category=Category.INSPECTION),
        user=member.user,
        grounds="不认可",
        evidence=evidence(),
    )
    client = login(officer())
    html = text(client.get(OBJECTIONS))
    assert "北京市异议协会" in html and 'data-countdown="remaining"' in html
    assert objection.due_on.isoformat() in html
    assert "北京市异议协会" not in text(client.get(OBJECTIONS, {"district": District.CHAOYANG}))
    assert "北京市异议协会" not in text(client.get(OBJECTIONS, {"kind": Category.PENALTY}))
    assert "北京市异议协会" in text(client.get(OBJECTIONS, {"kind": Category.INSPECTION}))


def test_s4_credit_record_lateness_is_words_not_a_tick():
    today = timezone.localdate()
    make_record(
        OrganizationFactory(name="北京市迟录协会"),
        decided_on=today - datetime.timedelta(days=40),
        recorded_on=today,
    )
    make_record(OrganizationFactory(name="北京市按时协会"), decided_on=today, recorded_on=today)
    html = text(login(officer()).get("/admin/credit/records/"))

    def row(name):
        return html.split(name, 1)[1].split("</tr>", 1)[0]

    assert "逾期记录" in row("北京市迟录协会") and "icon-success" not in row("北京市迟录协会")
    assert "按时" in row("北京市按时协会") and "逾期记录" not in row("北京市按时协会")


# --- Bulk decisions ----------------------------------------------------------------------------------


@pytest.fixture
def three_overdue():
    orgs = [OrganizationFactory(name=f"北京市批量协会{i}") for i in range(3)]
    services.run_rules(D(2026, 6, 1))
    return [
        Proposal.objects.get(organization=org, rule=Rule.S5_LIST_OVERDUE_REPORT, report_year=2025)
        for org in orgs
    ]


def bulk_url(*proposals):
    return BULK + "?" + "&".join(f"id={p.pk}" for p in proposals) + "&next=" + PROPOSALS


def test_s5_bulk_decision_shows_a_summary_then_decides_each_through_the_service(three_overdue):
    first, second, _third = three_overdue
    user = officer()
    client = login(user)
    html = text(client.get(bulk_url(first, second)))
    for proposal in (first, second):
        assert proposal.organization.name in html and proposal.due_on.isoformat() in html
    assert "S5 年度报告逾期未报送" in html and "列入活动异常名录" in html
    assert Proposal.objects.filter(status=ProposalStatus.PENDING).count() >= 3  # nothing decided yet
    today = timezone.localdate()
    response = client.post(
        bulk_url(first, second),
        {
            "decision": "confirm",
            "decision_reason": "逾期未报送2025年度报告",
            "decided_on": today.isoformat(),
            "document_number": "京民异〔2026〕100号",
        },
    )
    assert response.status_code == 302 and response["Location"] == PROPOSALS
    for proposal in (first, second):
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.CONFIRMED
        assert proposal.decision_reason == "逾期未报送2025年度报告" and proposal.decided_by == user
        entry = ListEntry.objects.get(organization=proposal.organization)
        assert entry == proposal.result_entry and entry.document_number == "京民异〔2026〕100号"
        assert entry.listed_on == today and entry.list_type == ListType.ABNORMAL
        # One audit entry per proposal, of its own.
        assert ModelLogEntry.objects.filter(action=DECISION_ACTION, object_id=str(proposal.pk)).count() == 1
    _third.refresh_from_db()
    assert _third.status == ProposalStatus.PENDING


def test_s5_bulk_decision_is_refused_whole_when_one_item_is_no_longer_pending(three_overdue):
    first, second, third = three_overdue
    user = officer()
    services.reject_proposal(second, user=user, reason="已申请延期")
    client = login(user)
    assert "已处理，不能再决定" in text(client.get(bulk_url(first, second)))
    response = client.post(
        bulk_url(first, second, third),
        {"decision": "reject", "decision_reason": "统一驳回"},
    )
    assert response.status_code == 400
    html = text(response)
    assert "整批未执行" in html and second.organization.name in html
    first.refresh_from_db()
    third.refresh_from_db()
    assert first.status == third.status == ProposalStatus.PENDING


def test_s5_bulk_decision_rolls_back_every_item_when_the_service_refuses_one(three_overdue):
    first, second, _third = three_overdue
    # The second organisation is already listed for the same reason and year: the service
    # refuses a second listing, after the first proposal of the batch was already decided.
    services.list_organization(
        second.organization,
        list_type=ListType.ABNORMAL,
        reason=ListReason.REPORT_NOT_FILED,
        listed_on=timezone.localdate(),
        document_number="京民异〔2026〕1号",
        report_year=second.report_year,
        user=officer(),
    )
    response = login(officer()).post(
        bulk_url(first, second),
        {
            "decision": "confirm",
            "decision_reason": "逾期",
            "decided_on": timezone.localdate().isoformat(),
            "document_number": "京民异〔2026〕2号",
        },
    )
    assert response.status_code == 400 and second.organization.name in text(response)
    first.refresh_from_db()
    assert first.status == ProposalStatus.PENDING
    assert not ListEntry.objects.filter(organization=first.organization).exists()
    assert not ModelLogEntry.objects.filter(action=DECISION_ACTION, object_id=str(first.pk)).exists()


def test_s5_bulk_confirmation_needs_a_date_and_a_document_number(three_overdue):
    first, second, _third = three_overdue
    response = login(officer()).post(
        bulk_url(first, second), {"decision": "confirm", "decision_reason": "逾期", "decided_on": ""}
    )
    assert response.status_code == 400 and "请填写决定书文号" in text(response)
    assert Proposal.objects.filter(pk__in=[first.pk, second.pk], status=ProposalStatus.PENDING).count() == 2


def test_bulk_decision_is_refused_without_the_permission(three_overdue):
    first, second, _third = three_overdue
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=CONTENT_EDITOR))
    client = login(editor)
    assert client.get(bulk_url(first, second)).status_code in (302, 403)
    response = client.post(bulk_url(first, second), {"decision": "reject", "decision_reason": "x"})
    assert response.status_code in (302, 403)
    assert Proposal.objects.filter(pk__in=[first.pk, second.pk], status=ProposalStatus.PENDING).count() == 2


def test_queue_listing_offers_the_bulk_action(three_overdue):
    html = text(login(officer()).get(PROPOSALS))
    assert "data-bulk-action-checkbox" in html and BULK in html
    assert f'id="proposal_{three_overdue[0].pk}_title"' in html


# --- Confirmation step, reasons and audit text --------------------------------------------------


def test_s5_confirming_a_listing_shows_a_summary_first_and_only_the_second_post_decides(three_overdue):
    proposal = three_overdue[0]
    client = login(officer())
    url = f"{PROPOSALS}edit/{proposal.pk}/"
    page = text(client.get(url))
    # Reason boxes start empty: both the confirm and the reject box.
    boxes = re.findall(r'<textarea name="decision_reason"[^>]*>(.*?)</textarea>', page, re.S)
    assert len(boxes) == 2 and all(not box.strip() for box in boxes)
    today = timezone.localdate().isoformat()
    data = {
        "action": "confirm",
        "decision_reason": "逾期未报",
        "decided_on": today,
        "document_number": "京民异〔2026〕7号",
    }
    summary = client.post(url, data)
    assert summary.status_code == 200
    html = text(summary)
    assert "data-confirmation-summary" in html and proposal.organization.name in html
    assert "活动异常名录" in html and today in html and "公示" in html and "京民异〔2026〕7号" in html
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING and not ListEntry.objects.exists()
    response = client.post(url, {**data, "confirmed": "1"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CONFIRMED
    assert ListEntry.objects.get(organization=proposal.organization).listed_on == timezone.localdate()


def test_s8_upholding_an_objection_without_a_change_is_refused():
    member = MembershipFactory()
    record = make_record(member.organization)
    objection = services.file_objection(record, user=member.user, grounds="g", evidence=evidence())
    with pytest.raises(Exception) as error:
        services.uphold_objection(
            objection, user=officer(), reason="经复核", summary=record.summary, category=record.category
        )
    assert "请驳回异议" in str(error.value)
    objection.refresh_from_db()
    assert objection.status == "pending"


def test_audit_text_names_states_in_chinese_field_by_field(three_overdue):
    proposal = three_overdue[0]
    services.confirm_proposal(
        proposal,
        user=officer(),
        reason="逾期未报",
        decided_on=timezone.localdate(),
        document_number="京民异〔2026〕9号",
    )
    html = text(login(officer()).get(f"{PROPOSALS}history/{proposal.pk}/"))
    assert "状态：待决定 → 已确认" in html
    assert "决定理由：（空） → 逾期未报" in html
    assert "确认后形成的名录记录" in html
    assert "pending" not in html and "confirmed" not in html


def test_audit_text_of_a_list_entry_removal():
    org = OrganizationFactory()
    entry = services.list_organization(
        org,
        list_type=ListType.ABNORMAL,
        reason=ListReason.UNREACHABLE,
        listed_on=timezone.localdate(),
        document_number="京民异〔2026〕3号",
        user=officer(),
    )
    services.remove_entry(
        entry,
        removed_on=timezone.localdate(),
        removal_reason="other",
        document_number="京民异移〔2026〕3号",
        user=officer(),
        note="核实已取得联系",
    )
    html = text(login(officer()).get(f"/admin/credit/lists/history/{entry.pk}/"))
    assert "状态：在列 → 已移出" in html and "移出事由：（空） → 其他" in html
    assert "已列入名录：通过登记的住所无法与其取得联系" in html


# --- Exports --------------------------------------------------------------------------------------


def csv_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_filtered_proposal_export_has_the_rows_beijing_times_and_safe_names(queue):
    formula = OrganizationFactory(name='=HYPERLINK("http://x")协会', district=District.CHAOYANG)
    make_proposal(formula, due_on=queue["today"] + datetime.timedelta(days=5))
    closed = queue["proposals"]["closed"]
    decided_at = timezone.make_aware(datetime.datetime(2026, 6, 3, 2, 30), datetime.UTC)
    Proposal.objects.filter(pk=closed.pk).update(decided_at=decided_at, decision_reason="驳回")
    client = login(officer())
    rows = csv_rows(client.get(PROPOSALS, {"export": "csv", "district": District.CHAOYANG}))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["社会组织", "统一社会信用代码", "区"] and "建议决定期限" in header
    names = [row[0] for row in body]
    # The open Chaoyang items only, sorted by deadline: no Haidian, no closed item.
    assert names == [queue["orgs"]["overdue"].name, "'" + formula.name, queue["orgs"]["far"].name]
    rows = csv_rows(client.get(PROPOSALS, {"export": "csv", "view": "closed"}))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["决定时间（北京时间）"].startswith("2026-06-03 10:30")
    assert row["状态"] == "已驳回"


@pytest.mark.parametrize(
    "url,heading",
    [
        ("/admin/credit/lists/", "列入决定书文号"),
        ("/admin/credit/records/", "是否按时记录"),
        ("/admin/credit/ratings/", "评估等级"),
        (OBJECTIONS, "处理期限"),
        (PROPOSALS, "建议决定期限"),
    ],
)
def test_every_credit_listing_exports_csv_and_xlsx_with_chinese_headings(url, heading):
    client = login(officer())
    response = client.get(url, {"export": "csv"})
    assert response.status_code == 200 and heading in csv_rows(response)[0]
    response = client.get(url, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_s5_a_withdrawn_proposal_keeps_a_readable_history():
    org = OrganizationFactory()
    services.run_rules(D(2026, 6, 1))
    proposal = Proposal.objects.get(organization=org, rule=Rule.S5_LIST_OVERDUE_REPORT, report_year=2025)
    Proposal.objects.filter(pk=proposal.pk).update(fingerprint="stale")  # its facts no longer hold
    services.run_rules(D(2026, 6, 2))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    html = text(login(officer()).get(f"{PROPOSALS}history/{proposal.pk}/"))
    assert "状态：待决定 → 条件已消失，自动撤回" in html
