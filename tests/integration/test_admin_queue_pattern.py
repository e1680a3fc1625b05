"""The bureau's queue pattern (core.admin_queues) and the self-explaining audit trail
(core.admin_audit), on real rows: price flags stand in for every queue (issue 23, points 1,
7 and 9). The queues of each section have their own tests; this file tests what they share:
countdowns across the holiday calendar, the open-first default, counts, monthly statistics,
safe exports, the dashboard panel and the audit text."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts.groups import FUNERAL_SECTION
from core import admin_queues
from core.admin_queues import Countdown, Queue, countdown, queue_filterset
from core.dates import add_working_days, working_days_between
from core.statemachine import TRANSITION_ACTION, transition
from marketplace.catalogue.models import PriceFlag, PriceVersion, ServiceItem
from orgs.reports.models import CalendarDay
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import ProviderFactory, make_item

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def next_weekday(day, weekday):
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7 or 7)


def flag(due, status=PriceFlag.Status.OPEN, *, district="dongcheng", name="骨灰盒"):
    provider = ProviderFactory(district=district)
    item = make_item(provider, "urn", price="900.00", name=name)
    version = PriceVersion.objects.filter(item=item).latest("pk")
    return PriceFlag.objects.create(
        provider=provider,
        version=version,
        median=Decimal("300.00"),
        ratio=Decimal("3.00"),
        status=status,
        review_due=due,
    )


FLAGS = Queue(
    key="catalogue_flag",
    label="异常价格复核",
    model=PriceFlag,
    section=FUNERAL_SECTION,
    permission="catalogue.change_priceflag",
    open_states=("open",),
    due_field="review_due",
    received_field="created_at",
    decided_field="reviewed_at",
    district_field="provider__district",
    type_field="direction",
)


# --- Countdowns ------------------------------------------------------------------------------


def test_s3_countdown_counts_working_days_across_a_holiday_and_a_make_up_day():
    monday = next_weekday(TODAY(), 0)
    CalendarDay.objects.create(date=monday + datetime.timedelta(days=2), kind="holiday", name="测试假日")
    saturday = monday + datetime.timedelta(days=5)
    CalendarDay.objects.create(date=saturday, kind="workday", name="调休上班")
    # Monday → the next Monday: Tue, (Wed holiday), Thu, Fri, Sat (make-up), Mon = 5.
    assert countdown(monday + datetime.timedelta(days=7), today=monday) == Countdown("remaining", 5)
    assert countdown(monday + datetime.timedelta(days=7), today=monday).label == "剩余 5 个工作日"


def test_countdown_on_the_day_and_after_it():
    today = TODAY()
    assert countdown(today, today=today).label == "今日到期"
    late = countdown(today - datetime.timedelta(days=150), today=today)
    assert late.overdue and late.label == "已超期 150 天"
    assert countdown(None, today=today).label == "未设期限"


def test_countdown_reads_a_datetime_deadline_in_beijing_time():
    today = TODAY()
    # 16:30 UTC on the day before is 00:30 in Beijing on ``today``.
    due = datetime.datetime.combine(
        today - datetime.timedelta(days=1), datetime.time(16, 30), tzinfo=datetime.UTC
    )
    assert countdown(due, today=today).state == "today"


def test_a_page_of_countdowns_reads_the_calendar_once(django_assert_max_num_queries):
    today = TODAY()
    calendar = admin_queues.special_days(today, today + datetime.timedelta(days=400))
    with django_assert_max_num_queries(0):
        for days in range(1, 60):
            due = today + datetime.timedelta(days=days)
            assert countdown(due, today=today, calendar=calendar).days == working_days_between(
                today, due, calendar
            )


# --- The listing's filters and order -----------------------------------------------------------


def test_the_queue_opens_on_open_items_and_filters_by_view_district_type_and_state():
    today = TODAY()
    overdue = flag(today - datetime.timedelta(days=3))
    soon = flag(today, district="xicheng")
    later = flag(add_working_days(today, 10))
    closed = flag(today - datetime.timedelta(days=9), status=PriceFlag.Status.ACCEPTED)
    filterset = queue_filterset(FLAGS)
    queryset = FLAGS.with_due(PriceFlag.objects.all())

    def ids(**params):
        from django.http import QueryDict

        data = QueryDict(mutable=True)
        data.update(params)
        fs = filterset(data, queryset=queryset)
        assert fs.is_valid(), fs.errors
        return set(fs.qs.values_list("pk", flat=True))

    assert ids() == {overdue.pk, soon.pk, later.pk}
    assert ids(view="closed") == {closed.pk}
    assert ids(view="overdue") == {overdue.pk}
    assert ids(view="due_soon") == {soon.pk}
    assert ids(view="all") == {overdue.pk, soon.pk, later.pk, closed.pk}
    assert ids(district="xicheng") == {soon.pk}
    assert ids(view="all", state="accepted") == {closed.pk}
    assert ids(kind="low") == set()


def test_queue_counts_in_one_query(django_assert_num_queries):
    today = TODAY()
    flag(today - datetime.timedelta(days=1))
    flag(today)
    flag(add_working_days(today, admin_queues.due_soon_working_days() + 3))
    flag(None)
    flag(today - datetime.timedelta(days=30), status=PriceFlag.Status.ACCEPTED)
    FLAGS.counts(today)  # the calendar lookup for the due-soon horizon
    with django_assert_num_queries(2):  # the horizon's calendar, then one aggregate
        counts = FLAGS.counts(today)
    assert counts == {"open": 4, "due_soon": 1, "overdue": 1}


def test_monthly_statistics_count_decisions_median_and_share_on_time():
    today = TODAY()
    month = today.replace(day=1)
    fast = flag(None)
    slow = flag(None)
    # Decided this month: one within its deadline, one after it.
    for item, received_days, due_offset in ((fast, 2, 5), (slow, 20, -5)):
        received = timezone.now() - datetime.timedelta(days=received_days)
        PriceFlag.objects.filter(pk=item.pk).update(
            created_at=received,
            reviewed_at=timezone.now(),
            status=PriceFlag.Status.ACCEPTED,
            review_due=today + datetime.timedelta(days=due_offset),
        )
    stats = FLAGS.monthly_statistics(months=3, today=today)
    assert [row["month"] for row in stats][0] == month and len(stats) == 3
    assert stats[0]["decided"] == 2
    assert stats[0]["on_time_share"] == 0.5
    expected = sorted(
        working_days_between(timezone.localdate(timezone.now() - datetime.timedelta(days=d)), today)
        for d in (2, 20)
    )
    assert stats[0]["median_days"] == sum(expected) / 2
    assert stats[1]["decided"] == 0 and stats[1]["median_days"] is None


# --- The admin: listing, exports and the dashboard ----------------------------------------------


@pytest.fixture
def superuser(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


def test_export_cells_are_in_beijing_time_and_never_formulas():
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    class View(admin_queues.SafeExportMixin, SpreadsheetExportMixin):
        list_export = ["name", "at"]

    view = View()
    at = datetime.datetime(2026, 12, 1, 22, 37, tzinfo=datetime.UTC)
    assert view.preprocess_field_value("at", at, "csv") == "2026-12-02 06:37:00"
    assert view.preprocess_field_value("at", at, "xlsx") == datetime.datetime(2026, 12, 2, 6, 37)
    assert view.preprocess_field_value("name", '=HYPERLINK("x")', "csv") == '\'=HYPERLINK("x")'
    assert view.preprocess_field_value("name", None, "csv") == ""
    assert view.preprocess_field_value("name", True, "csv") == "是"
    assert view.preprocess_field_value("amount", Decimal("-12.50"), "csv") == Decimal("-12.50")


def test_dashboard_shows_each_visible_queue_with_its_counts(client, superuser, monkeypatch):
    today = TODAY()
    flag(today - datetime.timedelta(days=2))
    flag(today - datetime.timedelta(days=1))
    flag(today)
    monkeypatch.setitem(admin_queues._queues, FLAGS.key, FLAGS)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    row = html[html.index('data-queue="catalogue_flag"') :]
    row = row[: row.index("</tr>")]
    assert 'data-count="open">3<' in row
    assert "?view=overdue" in row and "<strong>2</strong>" in row
    assert reverse("catalogue_flag:index") in row
    # No decisions yet: this month's statistics row only, not six rows of zeros.
    assert html.count('<tr data-queue="catalogue_flag" data-month=') == 1


def test_dashboard_hides_queues_the_officer_may_not_see(client, monkeypatch):
    from django.contrib.auth.models import Group

    officer = UserFactory()
    officer.groups.add(Group.objects.get(name="社会组织管理科"))
    client.force_login(officer)
    monkeypatch.setitem(admin_queues._queues, FLAGS.key, FLAGS)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'data-queue="catalogue_flag"' not in html


def test_warnings_on_the_dashboard_link_to_their_item(client, superuser):
    from django.contrib.contenttypes.models import ContentType

    from core.models import EarlyWarning

    provider = ProviderFactory(name="预警测试殡仪馆")
    EarlyWarning.objects.create(
        kind="test",
        content_type=ContentType.objects.get_for_model(provider),
        object_id=str(provider.pk),
        subject_label=provider.name,
        reason="测试",
        deadline=TODAY(),
        how_to_clear="测试",
        raised_on=TODAY(),
        last_seen_on=TODAY(),
    )
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert f'href="{reverse("catalogue_provider:edit", args=[provider.pk])}">预警测试殡仪馆</a>' in html


# --- The audit trail explains itself ------------------------------------------------------------


def test_a_state_change_reads_in_chinese_labels_with_what_else_changed(client, superuser):
    item = flag(TODAY())
    item.bureau_note = "请说明定价依据"
    transition(item, PriceFlag.Status.QUERIED, user=superuser, reason="偏高", save_fields=["bureau_note"])
    entry = ModelLogEntry.objects.get(action=TRANSITION_ACTION, object_id=str(item.pk))
    assert entry.data["changes"] == [{"field": "bureau_note", "old": "—", "new": "请说明定价依据"}]
    message = entry.message
    assert "“待复核”" in message and "“已质询”" in message and "open" not in message
    assert "民政局意见：— → 请说明定价依据" in message


def test_an_admin_edit_is_logged_field_by_field(superuser):
    from django import forms

    from core.admin_audit import AuditedEditAction

    class Form(forms.ModelForm):
        class Meta:
            model = ServiceItem
            fields = ["name", "is_active"]

    item = make_item(ProviderFactory(), "urn", price="100.00", name="旧名称")
    form = Form({"name": "新名称", "is_active": "on"}, instance=item)
    assert form.is_valid(), form.errors
    AuditedEditAction(form.instance, user=superuser, form=form).execute(skip_permission_checks=True)
    entry = ModelLogEntry.objects.get(action="wagtail.edit", object_id=str(item.pk))
    assert entry.data["changes"] == [{"field": "name", "old": "旧名称", "new": "新名称"}]
    assert entry.message.startswith("已编辑：") and "旧名称 → 新名称" in entry.message
    item.refresh_from_db()
    assert item.name == "新名称"


def test_audited_edit_view_lists_changed_fields():
    from django import forms

    from core.admin_audit import form_changes, format_changes

    class Form(forms.ModelForm):
        class Meta:
            model = ServiceItem
            fields = ["name", "is_active"]

    provider = ProviderFactory()
    item = make_item(provider, "urn", price="100.00", name="旧名称")
    form = Form({"name": "新名称", "is_active": ""}, instance=item)
    assert form.is_valid(), form.errors
    changes = form_changes(form)
    assert {c["field"] for c in changes} == {"name", "is_active"}
    text = format_changes(ServiceItem, changes)
    assert "旧名称 → 新名称" in text and "是 → 否" in text


def test_deactivating_an_api_key_in_the_admin_is_logged_field_by_field_and_exports(client, superuser):
    from api.models import ApiKey

    key = ApiKey(name="研究", holder="=某大学", requests_per_minute=60)
    key.issue()
    key.save()
    url = reverse("api_keys:edit", args=[key.pk])
    response = client.post(url, {"name": "研究", "holder": "=某大学", "requests_per_minute": "30"})
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = ModelLogEntry.objects.filter(action="wagtail.edit", object_id=str(key.pk)).get()
    assert entry.message.startswith("已编辑：")
    assert "启用：是 → 否" in entry.message and "：60 → 30" in entry.message
    assert {change["field"] for change in entry.data["changes"]} == {"is_active", "requests_per_minute"}
    exported = client.get(reverse("api_keys:index") + "?export=csv")
    body = b"".join(exported.streaming_content).decode()
    assert "'=某大学" in body and "否" in body


def test_f2_a_flag_is_due_for_review_the_settings_working_days_after_it_is_raised(settings):
    settings.F2_FLAG_REVIEW_WORKING_DAYS = 3
    monday = next_weekday(TODAY(), 0)
    CalendarDay.objects.create(date=monday + datetime.timedelta(days=1), kind="holiday", name="测试假日")
    from marketplace.catalogue.models.prices import flag_review_due

    # Monday + 3 working days, Tuesday a holiday: Wed, Thu, Fri.
    assert flag_review_due(monday) == monday + datetime.timedelta(days=4)
    raised = flag(None)
    assert raised.review_due == add_working_days(timezone.localdate(raised.created_at), 3)


def test_s3_working_days_counted_over_a_calendar_read_once_match_the_calendar_lookups(
    django_assert_max_num_queries,
):
    monday = next_weekday(TODAY(), 0)
    CalendarDay.objects.create(date=monday + datetime.timedelta(days=1), kind="holiday", name="测试假日")
    CalendarDay.objects.create(date=monday + datetime.timedelta(days=5), kind="workday", name="调休上班")
    calendar = admin_queues.special_days(monday, monday + datetime.timedelta(days=90))
    with django_assert_max_num_queries(0):
        read_once = [add_working_days(monday, n, calendar) for n in range(0, 30)]
    assert read_once == [add_working_days(monday, n) for n in range(0, 30)]
    assert read_once[1] == monday + datetime.timedelta(days=2)  # Tuesday is the holiday


def test_the_bureau_editing_a_service_category_is_logged_field_by_field(client, superuser):
    from marketplace.catalogue.models import ServiceCategory

    category = ServiceCategory.objects.filter(parent__isnull=False).order_by("pk").first()
    url = reverse("catalogue_category:edit", args=[category.pk])
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value.pk if hasattr(value, "pk") else value
    old_name = category.name
    data["name"] = old_name + "（改）"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    entry = ModelLogEntry.objects.filter(action="wagtail.edit", object_id=str(category.pk)).latest("pk")
    assert entry.data["changes"] == [{"field": "name", "old": old_name, "new": old_name + "（改）"}]
    assert f"{old_name} → {old_name}（改）" in entry.message
