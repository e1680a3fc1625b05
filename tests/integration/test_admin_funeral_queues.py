"""Issue 23 for the funeral section's queues: price flags (F2), complaints (R2), reviews held
for moderation (R1) and memorial reports (M1) in the Wagtail admin. Each opens on the open
items sorted by deadline with working-day countdowns from the calendar (a holiday included),
filters by queue view, district, type and state, exports CSV/XLSX in Beijing time with
formula-looking text neutralised, and keeps its query count flat; several open flags are
accepted at once with one shared note, each flag audited on its own."""

import csv
import datetime
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts.groups import FUNERAL_SECTION, SOCIAL_ORG_SECTION
from core.admin_queues import queues_for
from core.statemachine import TRANSITION_ACTION
from marketplace.catalogue.admin_flags import FLAGS
from marketplace.catalogue.models import PriceFlag
from orgs.reports.models import CalendarDay
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import ProviderFactory, make_item

pytestmark = pytest.mark.django_db
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
FLAG_URL = "/admin/catalogue_flag/"
BULK_URL = "/admin/bulk/catalogue/priceflag/accept/"


def officer(section=FUNERAL_SECTION):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=section))
    return user


def special():
    return dict(CalendarDay.objects.values_list("date", "kind"))


def expected_working_days(start, end):
    """Counted here from the calendar table, independently of core.dates."""
    days = special()
    total, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        kind = days.get(day)
        if kind == "workday" or (kind != "holiday" and day.weekday() < 5):
            total += 1
    return total


def a_holiday_ahead(today):
    """Make the first plain weekday after today a holiday (unless the calendar has one)."""
    days = special()
    day = today + datetime.timedelta(days=1)
    while day.weekday() >= 5 or day in days:
        day += datetime.timedelta(days=1)
    CalendarDay.objects.create(date=day, kind="holiday", name="测试假日")
    return day


def make_flag(name, *, due, status="open", direction="high", district="chaoyang", code="urn", **extra):
    provider = ProviderFactory(district=district)
    item = make_item(provider, code, name=name, price="900.00")
    version = item.versions.get()
    flag = PriceFlag.objects.create(
        provider=provider,
        version=version,
        median=Decimal("300.00"),
        ratio=Decimal("3.00") if direction == "high" else Decimal("0.30"),
        direction=direction,
        status=status,
        review_due=due,
        **extra,
    )
    return flag


def rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


@pytest.fixture
def flags():
    today = timezone.localdate()
    holiday = a_holiday_ahead(today)
    later = holiday + datetime.timedelta(days=7)
    return {
        "later": make_flag("甲骨灰盒", due=later),
        "overdue": make_flag("乙骨灰盒", due=today - datetime.timedelta(days=3), district="haidian"),
        "today": make_flag("丙骨灰盒", due=today, direction="low"),
        "queried": make_flag("丁骨灰盒", due=today - datetime.timedelta(days=1), status="queried"),
        "accepted": make_flag("戊骨灰盒", due=today - datetime.timedelta(days=9), status="accepted"),
    }


def listed(response):
    """The item names of the listing's rows, in order."""
    text = response.content.decode()
    names = ["甲骨灰盒", "乙骨灰盒", "丙骨灰盒", "丁骨灰盒", "戊骨灰盒"]
    found = [(text.find(f">{name}："), name) for name in names if f">{name}：" in text]
    return [name for _pos, name in sorted(found)]


# --- F2: the price-flag queue -------------------------------------------------------------------


def test_f2_flag_queue_opens_on_open_flags_by_deadline_with_working_day_countdowns(client, flags):
    today = timezone.localdate()
    client.force_login(officer())
    page = client.get(FLAG_URL)
    assert page.status_code == 200
    # Open flags only (a queried flag waits on the provider), the most urgent first.
    assert listed(page) == ["乙骨灰盒", "丙骨灰盒", "甲骨灰盒"]
    text = page.content.decode()
    assert "已超期 3 天" in text and "今日到期" in text
    later_due = flags["later"].review_due
    n = expected_working_days(today, later_due)
    # The holiday ahead is not a working day: fewer working days than weekdays.
    weekdays = sum(
        1
        for k in range(1, (later_due - today).days + 1)
        if (today + datetime.timedelta(days=k)).weekday() < 5
    )
    assert n < weekdays
    assert f"剩余 {n} 个工作日" in text


def test_f2_flag_queue_filters_by_view_district_direction_category_and_state(client, flags):
    client.force_login(officer())
    assert listed(client.get(FLAG_URL, {"view": "overdue"})) == ["乙骨灰盒"]
    assert listed(client.get(FLAG_URL, {"district": "haidian"})) == ["乙骨灰盒"]
    assert listed(client.get(FLAG_URL, {"kind": "low"})) == ["丙骨灰盒"]
    assert listed(client.get(FLAG_URL, {"view": "all", "state": "queried"})) == ["丁骨灰盒"]
    assert set(listed(client.get(FLAG_URL, {"view": "closed"}))) == {"丁骨灰盒", "戊骨灰盒"}
    assert len(listed(client.get(FLAG_URL, {"view": "all"}))) == 5
    category = flags["later"].version.item.category
    assert len(listed(client.get(FLAG_URL, {"category": category.pk}))) == 3
    other = type(category).objects.exclude(pk=category.pk).first()
    assert listed(client.get(FLAG_URL, {"category": other.pk})) == []


def test_f2_dashboard_counts_of_the_flag_queue(flags):
    counts = FLAGS.counts()
    assert counts["open"] == 3 and counts["overdue"] == 1
    assert counts["due_soon"] >= 1  # the flag due today


def test_funeral_queues_are_registered_for_the_funeral_section_only():
    keys = {queue.key for queue in queues_for(officer(), FUNERAL_SECTION)}
    assert {"catalogue_flag", "feedback_complaint", "feedback_review", "memorials_report"} <= keys
    others = {queue.key for queue in queues_for(officer(SOCIAL_ORG_SECTION))}
    assert not others & {"catalogue_flag", "feedback_complaint", "feedback_review", "memorials_report"}


# --- F2: bulk acceptance ------------------------------------------------------------------------


def test_f2_bulk_accept_shows_a_summary_then_accepts_each_flag_with_its_own_audit_entry(client, flags):
    user = officer()
    client.force_login(user)
    ids = [flags["later"].pk, flags["today"].pk, flags["accepted"].pk]
    query = "&".join(f"id={pk}" for pk in ids)
    confirm = client.get(f"{BULK_URL}?{query}")
    assert confirm.status_code == 200
    text = confirm.content.decode()
    summary = text[text.find('data-summary="accept"') : text.find('data-summary="skipped"')]
    assert "2 项" in summary and "甲骨灰盒" in summary and "丙骨灰盒" in summary
    assert "戊骨灰盒" not in summary  # already accepted: listed as skipped
    assert "已不是待复核状态" in text
    note_box = text[text.find('name="note"') - 200 : text.find("</textarea>", text.find('name="note"'))]
    assert note_box.rstrip().endswith(">")  # the shared note starts empty

    # A flag another officer queries between the summary and the confirmation is skipped.
    from marketplace.catalogue.services.anomalies import review_flag

    review_flag(PriceFlag.objects.get(pk=flags["today"].pk), status="queried", note="请说明", user=officer())
    done = client.post(
        f"{BULK_URL}?{query}&next={FLAG_URL}", {"note": "成本构成已核实，价格合理"}, follow=True
    )
    messages = [str(m) for m in done.context["messages"]]
    assert any("已认可 1 项" in m and "跳过 2 项" in m and "丙骨灰盒" in m for m in messages), messages
    statuses = dict(PriceFlag.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert statuses == {
        flags["later"].pk: "accepted",
        flags["today"].pk: "queried",
        flags["accepted"].pk: "accepted",
    }
    later = PriceFlag.objects.get(pk=flags["later"].pk)
    assert later.bureau_note == "成本构成已核实，价格合理" and later.reviewed_by == user
    entries = ModelLogEntry.objects.filter(action=TRANSITION_ACTION, user=user)
    assert [(e.object_id, e.data["from"], e.data["to"], e.data["reason"]) for e in entries] == [
        (str(flags["later"].pk), "open", "accepted", "成本构成已核实，价格合理")
    ]
    # The audit text names the states in Chinese and what else the decision changed.
    message = entries.get().message
    assert "状态从“待复核”变为“已认可”" in message and "成本构成已核实，价格合理" in message
    assert "民政局意见" in message


def test_f2_bulk_accept_needs_a_note_and_the_permission(client, flags):
    query = f"id={flags['later'].pk}&id={flags['today'].pk}"
    client.force_login(officer())
    refused = client.post(f"{BULK_URL}?{query}", {"note": "  "})
    assert (
        refused.status_code == 200
        and "errorlist" in refused.content.decode()
        or "error" in refused.content.decode()
    )
    assert set(
        PriceFlag.objects.filter(pk__in=[flags["later"].pk, flags["today"].pk]).values_list(
            "status", flat=True
        )
    ) == {"open"}
    client.force_login(officer(SOCIAL_ORG_SECTION))
    assert client.post(f"{BULK_URL}?{query}", {"note": "认可"}).status_code in (302, 403)
    assert not PriceFlag.objects.filter(
        status="accepted", pk__in=[flags["later"].pk, flags["today"].pk]
    ).exists()


def test_f2_the_listing_offers_the_bulk_action_and_querying_stays_one_by_one(client, flags):
    client.force_login(officer())
    text = client.get(FLAG_URL).content.decode()
    assert "data-bulk-action-checkbox" in text and BULK_URL in text and "认可：价格合理" in text
    assert "/admin/bulk/catalogue/priceflag/query/" not in text


# --- Exports ------------------------------------------------------------------------------------


def test_f2_flag_export_is_the_filtered_listing_in_beijing_time_and_safe(client, flags):
    moment = datetime.datetime.combine(
        timezone.localdate() - datetime.timedelta(days=2), datetime.time(22, 37), tzinfo=datetime.UTC
    )
    PriceFlag.objects.filter(pk=flags["overdue"].pk).update(created_at=moment, bureau_note="=HYPERLINK(1)")
    PriceFlag.objects.filter(pk=flags["overdue"].pk).update(status="queried")
    client.force_login(officer())
    table = rows(client.get(FLAG_URL, {"export": "csv", "view": "all", "district": "haidian"}))
    assert table[0][:4] == ["编号", "项目名称", "项目类别", "机构"] and "复核期限" in table[0]
    assert len(table) == 2 and table[1][1] == "乙骨灰盒"
    local = moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    assert table[1][table[0].index("标记时间（北京时间）")].startswith(local)
    assert table[1][table[0].index("民政局意见")] == "'=HYPERLINK(1)"
    open_rows = rows(client.get(FLAG_URL, {"export": "csv"}))
    assert [row[1] for row in open_rows[1:]] == ["丙骨灰盒", "甲骨灰盒"]
    assert "今日到期" in open_rows[1]


def test_f2_flag_export_as_xlsx_has_chinese_headings(client, flags):
    import openpyxl

    client.force_login(officer())
    response = client.get(FLAG_URL, {"export": "xlsx"})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = list(sheet.values)
    assert values[0][1] == "项目名称" and len(values) == 4


# --- Query counts -------------------------------------------------------------------------------


def test_f2_flag_listing_query_count_stays_flat(client, django_assert_max_num_queries):
    today = timezone.localdate()
    user = officer()
    client.force_login(user)
    make_flag("首项", due=today)
    client.get(FLAG_URL)  # warm caches (site, permissions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(FLAG_URL).status_code == 200
    for k in range(19):
        make_flag(f"项目{k}", due=today + datetime.timedelta(days=k))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(FLAG_URL)
    assert page.content.decode().count("data-bulk-action-checkbox ") == 20


# --- R2: the complaint queue --------------------------------------------------------------------

COMPLAINT_URL = "/admin/feedback_complaint/"


def make_complaint(text, *, status, district="chaoyang", category="quality", **dates):
    from marketplace.feedback.models import Complaint
    from marketplace.feedback.services import complaints as service
    from tests.factories.orders import family_user

    complaint = service.file_complaint(
        user=family_user(),
        provider=ProviderFactory(district=district),
        category=category,
        text=text,
        contact_name="王丽",
    )
    Complaint.objects.filter(pk=complaint.pk).update(status=status, **dates)
    complaint.refresh_from_db()
    return complaint


@pytest.fixture
def complaints():
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    return {
        # received: the bureau's clock is acceptance
        "received": make_complaint("甲", status="received", accept_due=today - 2 * day),
        # accepted, waiting for the provider: the bureau's clock is the decision, not the
        # provider's answer (which is overdue here)
        "waiting": make_complaint(
            "乙",
            status="accepted",
            district="haidian",
            category="overcharge",
            accept_due=today - 9 * day,
            response_due=today - 1 * day,
            decision_due=today + 6 * day,
        ),
        "responded": make_complaint("丙", status="responded", accept_due=today - 9 * day, decision_due=today),
        "reexamining": make_complaint(
            "丁",
            status="reexamining",
            accept_due=today - 30 * day,
            decision_due=today - 20 * day,
            reexamination_due=today + 1 * day,
        ),
        "closed": make_complaint(
            "戊", status="closed", accept_due=today - 40 * day, decision_due=today - 30 * day
        ),
    }


def complaint_order(response, complaints):
    text = response.content.decode()
    found = [(text.find(c.reference), key) for key, c in complaints.items() if c.reference in text]
    return [key for _pos, key in sorted(found)]


def test_r2_complaint_queue_runs_on_the_bureaus_own_deadline_for_each_state(client, complaints):
    client.force_login(officer())
    page = client.get(COMPLAINT_URL)
    assert page.status_code == 200
    assert complaint_order(page, complaints) == ["received", "responded", "reexamining", "waiting"]
    text = page.content.decode()
    assert "已超期 2 天" in text and "今日到期" in text
    today = timezone.localdate()
    assert f"剩余 {expected_working_days(today, complaints['waiting'].decision_due)} 个工作日" in text
    # Each row opens the complaint's decision page.
    assert reverse("feedback_complaints_admin:detail", args=[complaints["received"].pk]) in text
    from marketplace.feedback.admin_complaints import COMPLAINTS

    assert COMPLAINTS.counts()["overdue"] == 1 and COMPLAINTS.counts()["open"] == 4


def test_r2_complaint_queue_filters_by_view_district_category_state_and_channel(client, complaints):
    client.force_login(officer())
    assert complaint_order(client.get(COMPLAINT_URL, {"view": "overdue"}), complaints) == ["received"]
    assert complaint_order(client.get(COMPLAINT_URL, {"district": "haidian"}), complaints) == ["waiting"]
    assert complaint_order(client.get(COMPLAINT_URL, {"kind": "overcharge"}), complaints) == ["waiting"]
    assert complaint_order(client.get(COMPLAINT_URL, {"view": "all", "state": "closed"}), complaints) == [
        "closed"
    ]
    assert complaint_order(client.get(COMPLAINT_URL, {"channel": "platform"}), complaints) == []
    # The old address keeps working and carries its filter over.
    old = client.get(reverse("feedback_complaints_admin:queue"), {"overdue": "yes"}, follow=True)
    assert complaint_order(old, complaints) == ["received"]


def test_r2_complaint_export_has_chinese_headings_and_the_filtered_rows(client, complaints):
    from marketplace.feedback.models import Complaint

    Complaint.objects.filter(pk=complaints["waiting"].pk).update(subject_detail="=cmd|' /C calc'!A0")
    client.force_login(officer())
    table = rows(client.get(COMPLAINT_URL, {"export": "csv", "district": "haidian"}))
    assert table[0][:3] == ["投诉编号", "渠道", "被投诉方"] and "民政局办理期限" in table[0]
    assert [row[0] for row in table[1:]] == [complaints["waiting"].reference]
    assert table[1][table[0].index("所在区")] == "海淀区"
    assert table[1][table[0].index("剩余期限")].startswith("剩余")


def test_r2_accepting_from_the_queue_is_audited_in_chinese_state_names(client, complaints):
    user = officer()
    client.force_login(user)
    received = complaints["received"]
    detail = reverse("feedback_complaints_admin:detail", args=[received.pk])
    assert detail in client.get(COMPLAINT_URL).content.decode()
    assert client.post(detail, {"action": "accept"}).status_code == 302
    entry = ModelLogEntry.objects.filter(
        action=TRANSITION_ACTION, object_id=str(received.pk), user=user
    ).get()
    assert "状态从“已收到，待受理”变为“已受理，待答复”" in entry.message
    # Accepted, it now waits on the decision deadline: it moves down the queue.
    received.refresh_from_db()
    assert received.decision_due > timezone.localdate()


def test_r2_complaint_queue_is_closed_to_the_social_organisation_section(client, complaints):
    client.force_login(officer(SOCIAL_ORG_SECTION))
    assert client.get(COMPLAINT_URL).status_code in (302, 403)


def test_r2_complaint_listing_query_count_stays_flat(client, django_assert_max_num_queries):
    today = timezone.localdate()
    client.force_login(officer())
    make_complaint("一", status="received", accept_due=today)
    client.get(COMPLAINT_URL)
    with CaptureQueriesContext(connection) as one:
        client.get(COMPLAINT_URL)
    for k in range(19):
        make_complaint(f"多{k}", status="received", accept_due=today + datetime.timedelta(days=k))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(COMPLAINT_URL)
    assert page.content.decode().count("data-countdown=") == 20


# --- R1 and M1: queues without a deadline rule --------------------------------------------------


def make_report(reason, *, status="open", tribute=None):
    from marketplace.memorials.models import MemorialReport
    from tests.factories.memorials import make_memorial

    fields = {} if status == "open" else {"decision_reason": "已处理"}
    return MemorialReport.objects.create(
        memorial=make_memorial(name=f"{reason}纪念馆"), reason=reason, status=status, ip_hash="x", **fields
    )


def test_m1_report_queue_lists_open_reports_by_arrival_without_a_deadline(client):
    first, second = make_report("第一份举报"), make_report("第二份举报")
    make_report("已处理的举报", status="dismissed")
    client.force_login(officer())
    text = client.get("/admin/memorials_report/").content.decode()
    assert text.find("第一份举报纪念馆") < text.find("第二份举报纪念馆") and "已处理的举报纪念馆" not in text
    assert text.count("未设期限") == 2 and 'data-countdown="overdue"' not in text
    from marketplace.memorials.wagtail_hooks import REPORTS

    assert REPORTS.counts() == {"open": 2, "due_soon": 0, "overdue": 0}
    assert "已处理的举报纪念馆" in client.get("/admin/memorials_report/", {"view": "closed"}).content.decode()
    table = rows(client.get("/admin/memorials_report/", {"export": "csv"}))
    assert table[0][:3] == ["编号", "纪念馆", "被举报对象"]
    assert [row[3] for row in table[1:]] == ["第一份举报", "第二份举报"]
    assert {row[table[0].index("处理期限")] for row in table[1:]} == {"未设期限"}
    assert first.pk < second.pk


def test_r1_review_queue_shows_held_reviews_without_a_deadline(client):
    from marketplace.feedback.models import SensitiveWord
    from marketplace.feedback.services.reviews import submit_review
    from tests.factories.orders import Scenario

    SensitiveWord.objects.create(word="等候时间", note="测试")
    scenario = Scenario()
    scenario.advance("completed")
    order = scenario.refresh()
    review = submit_review(
        order.user,
        order,
        overall=2,
        price_transparency=2,
        service_attitude=2,
        facilities=2,
        text="收费清楚，但等候时间太长。",
    )
    assert review.status == "held"
    client.force_login(officer())
    text = client.get("/admin/feedback_review/").content.decode()
    assert "未设期限" in text and 'data-countdown="overdue"' not in text
    assert "未设期限" not in client.get("/admin/feedback_review/", {"view": "closed"}).content.decode()
    assert rows(client.get("/admin/feedback_review/", {"export": "csv", "overall": 2}))[1][3] == "2"
    assert len(rows(client.get("/admin/feedback_review/", {"export": "csv", "overall": 5}))) == 1


def test_m1_held_messages_come_first_and_flowers_are_not_listed(client):
    from marketplace.memorials.models import Tribute
    from tests.factories.memorials import make_memorial

    memorial = make_memorial(name="留言测试纪念馆")
    Tribute.objects.create(
        memorial=memorial,
        author=memorial.created_by,
        kind="message",
        message="较早的已发布留言",
        signed_as="甲",
        status="published",
    )
    Tribute.objects.create(
        memorial=memorial,
        author=memorial.created_by,
        kind="message",
        message="被暂扣的留言",
        signed_as="乙",
        status="held",
    )
    client.force_login(officer())
    text = client.get("/admin/memorials_tribute/").content.decode()
    assert -1 < text.find("留言 · 乙") < text.find("留言 · 甲")  # the held message first
    table = rows(client.get("/admin/memorials_tribute/", {"export": "csv"}))
    assert table[0][:4] == ["编号", "纪念馆", "署名", "留言"] and table[1][3] == "被暂扣的留言"
