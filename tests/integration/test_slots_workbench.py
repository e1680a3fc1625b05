"""F11 through the funeral home's workbench and the bureau's admin: staff manage resources,
publish a month, close days and propose moves; the week calendar and the day sheet (HTML, CSV,
PDF) show their own funeral home's slots and orders only; the bureau sees the load per funeral
home. Another funeral home's staff, or a family, reach none of it (404)."""

import datetime
from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from accounts.groups import FUNERAL_SECTION, SOCIAL_ORG_SECTION
from marketplace.catalogue.models import ServiceItem
from marketplace.orders import services as orders
from marketplace.orders.slots import services
from marketplace.orders.slots.models import Booking, BookingStatus, Closure, Resource, Slot
from tests.factories.orders import family_user, funeral_home, make_quote, order_details, staff_user
from tests.factories.slots import at, hall, published

pytestmark = pytest.mark.django_db
B = BookingStatus


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def slot_at(resource, hour, day=None):
    return Slot.objects.get(resource=resource, starts_at=at(day or tomorrow(), hour))


def place(provider, hour, resource, *, confirm_by=None, **details):
    """A family holds the slot at ``hour`` tomorrow and orders with it (requested); with
    ``confirm_by`` the funeral home confirms (booked)."""
    family = family_user()
    booking = services.hold(slot_at(resource, hour), family)
    order = orders.submit_order(
        family, make_quote(family, provider), details=order_details(**details), hold=booking
    )
    if confirm_by is not None:
        order = orders.confirm_order(
            order, confirm_by, service_date=tomorrow(), service_time=datetime.time(hour), hall=""
        )
    return Booking.objects.get(order=order, status__in=(B.REQUESTED, B.BOOKED)), order, family


@pytest.fixture
def scene():
    provider = funeral_home()
    resource = published(hall(provider), days=7)
    return provider, resource, staff_user(provider)


def url(name, provider, **kwargs):
    return reverse(f"order_slots_workbench:{name}", kwargs={"slug": provider.slug, **kwargs})


def text(response):
    return response.content.decode()


def next_month(today):
    following = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return following.year, following.month


# --- The funeral home's staff ---------------------------------------------------------------------


def test_f11_staff_sees_its_funeral_home_and_publishes_a_month(client, scene):
    provider, resource, staff = scene
    client.force_login(staff)
    index = client.get(reverse("order_slots_workbench:index"))
    assert index.status_code == 302 and index["Location"] == url("provider", provider)
    page = text(client.get(url("provider", provider)))
    assert resource.name in page and "08:00-12:00" in page and 'scope="row"' in page

    year, month = next_month(timezone.localdate())
    response = client.post(url("publish", provider), {"resource": resource.pk, "year": year, "month": month})
    assert response.status_code == 302
    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    in_month = Slot.objects.filter(
        resource=resource, starts_at__gte=at(first, 0), starts_at__lt=at(last + datetime.timedelta(days=1), 0)
    )
    # 08–12 in one-hour slots; the first days of the month may already be published (7 days).
    assert in_month.count() == last.day * 4
    page = text(client.get(response["Location"]))
    assert "已发布" in page and first.isoformat() in page and last.isoformat() in page
    # Publishing the same month again creates nothing new, and says so.
    again = client.post(url("publish", provider), {"resource": "", "year": year, "month": month})
    assert in_month.count() == last.day * 4
    assert "的 0 个档期" in text(client.get(again["Location"]))


def test_f11_publishing_a_past_month_is_refused(client, scene):
    provider, resource, staff = scene
    client.force_login(staff)
    today = timezone.localdate()
    before = Slot.objects.count()
    if today.month == 1:  # last year is not offered at all
        assert client.post(url("publish", provider), {"year": today.year - 1, "month": 12}).status_code == 400
    else:
        response = client.post(url("publish", provider), {"year": today.year, "month": today.month - 1})
        assert response.status_code == 400 and "该月份已经过去" in text(response)
    assert Slot.objects.count() == before


def test_f11_staff_adds_a_resource_linked_to_its_own_items(client, scene):
    provider, _resource, staff = scene
    other_item = (
        ServiceItem.objects.exclude(provider=provider).first()
        or ServiceItem.objects.filter(provider=funeral_home()).first()
    )
    item = ServiceItem.objects.filter(provider=provider, is_active=True).first()
    client.force_login(staff)
    page = text(client.get(url("provider", provider)))
    assert f'value="{item.pk}"' in page and "<legend>" in page
    data = {
        "kind": "vehicle",
        "name": "殡仪车队",
        "items": [item.pk],
        "opens": "07:00",
        "closes": "11:00",
        "weekdays": ["1", "2", "3", "4", "5"],
        "slot_minutes": 120,
        "capacity": 3,
    }
    assert client.post(url("add_resource", provider), data).status_code == 302
    fleet = Resource.objects.get(provider=provider, name="殡仪车队")
    assert (fleet.weekdays, fleet.capacity, list(fleet.items.all())) == ("12345", 3, [item])
    again = client.post(url("add_resource", provider), data)
    assert again.status_code == 400 and "已有名为" in text(again)
    backwards = client.post(url("add_resource", provider), {**data, "name": "二号车", "closes": "06:00"})
    assert backwards.status_code == 400 and "结束时间须晚于开始时间" in text(backwards)
    foreign = client.post(url("add_resource", provider), {**data, "name": "三号车", "items": [other_item.pk]})
    assert foreign.status_code == 400 and not Resource.objects.filter(name="三号车").exists()


def test_f11_the_week_calendar_shows_free_held_requested_and_booked_slots(client, scene):
    provider, resource, staff = scene
    services.hold(slot_at(resource, 8), family_user())
    place(provider, 9, resource)
    place(provider, 10, resource, confirm_by=staff)
    closed = tomorrow() + datetime.timedelta(days=6)
    Slot.objects.filter(resource=resource, starts_at__gte=at(closed, 0)).delete()
    services.close(resource, starts_on=closed, ends_on=closed, reason="设备检修")
    client.force_login(staff)
    page = text(client.get(url("provider", provider) + f"?week={tomorrow().isoformat()}"))
    calendar = page[page.index("<caption>") : page.index("</table>")]
    assert f"{tomorrow().isoformat()} 至 {closed.isoformat()}" in calendar
    for hour, badge in ((8, "暂留中"), (9, "待确认"), (10, "已预约"), (11, "空闲")):
        assert f'>{hour:02d}:00</time> <span class="slot-state"><span class="badge' in calendar
        time_at = calendar.index(f">{hour:02d}:00</time>")
        assert calendar[time_at : time_at + 80].count(badge) == 1, (hour, badge)
    assert "设备检修" in calendar
    assert url("day", provider, day=tomorrow().isoformat()) in calendar
    # Previous and next week links move by seven days.
    later = tomorrow() + datetime.timedelta(days=7)
    assert f"?week={later.isoformat()}" in page
    assert f"?week={(tomorrow() - datetime.timedelta(days=7)).isoformat()}" in page
    next_week = text(client.get(url("provider", provider) + f"?week={later.isoformat()}"))
    assert "暂留中" not in next_week and "未发布" in next_week
    # A bad date falls back to this week.
    assert client.get(url("provider", provider) + "?week=not-a-day").status_code == 200
    assert client.get(url("provider", provider) + "?week=0001-01-01").status_code == 200


def test_f11_a_lapsed_hold_shows_free_in_the_calendar(client, scene, settings):
    provider, resource, staff = scene
    settings.F11_HOLD_MINUTES = 15
    services.hold(slot_at(resource, 8), family_user(), now=timezone.now() - datetime.timedelta(minutes=16))
    client.force_login(staff)
    page = text(client.get(url("provider", provider) + f"?week={tomorrow().isoformat()}"))
    assert "暂留中" not in page


def test_f11_closing_days_with_bookings_shows_the_refusal(client, scene):
    provider, resource, staff = scene
    services.hold(slot_at(resource, 8), family_user())
    client.force_login(staff)
    data = {
        "resource": resource.pk,
        "starts_on": tomorrow().isoformat(),
        "ends_on": (tomorrow() + datetime.timedelta(days=1)).isoformat(),
        "reason": "设备检修",
    }
    refused = client.post(url("close", provider), data)
    assert refused.status_code == 400
    assert "这些日期已有 1 个预约或暂留，请先与家属协商改约后再停用。" in text(refused)
    assert 'id="error-summary"' in text(refused)
    assert not Closure.objects.exists()
    later = (tomorrow() + datetime.timedelta(days=3)).isoformat()
    accepted = client.post(url("close", provider), {**data, "starts_on": later, "ends_on": later})
    assert accepted.status_code == 302
    assert Closure.objects.get().reason == "设备检修"
    assert "设备检修" in text(client.get(url("provider", provider)))


# --- The day sheet ------------------------------------------------------------------------------


def test_f11_the_day_sheet_lists_the_days_bookings_with_their_orders(client, scene):
    provider, resource, staff = scene
    booking, order, family = place(provider, 9, resource, confirm_by=staff)
    services.hold(slot_at(resource, 8), family_user())
    client.force_login(staff)
    page = text(client.get(url("day", provider, day=tomorrow().isoformat())))
    assert order.reference in page and "王建国" in page and "09:00-10:00" in page
    assert family.mobile not in page and f"{family.mobile[:3]}****{family.mobile[-4:]}" in page
    assert "08:00-09:00" in page  # the live hold, without an order yet
    assert url("move", provider, pk=booking.pk) in page
    assert "这一天没有预约" in text(client.get(url("day", provider, day=timezone.localdate().isoformat())))
    assert client.get(url("day", provider, day="2026-02-30")).status_code == 404


def test_f11_the_day_sheet_csv_is_formula_safe(client, scene):
    provider, resource, staff = scene
    _booking, order, family = place(provider, 8, resource, deceased_name='=HYPERLINK("http://evil.example")')
    client.force_login(staff)
    response = client.get(url("day_csv", provider, day=tomorrow().isoformat()))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "时段,资源,状态,订单号,逝者姓名,经办家属,手机"
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body and ',"=HYPERLINK' not in body
    assert order.reference in body and "08:00-09:00" in body
    assert family.mobile not in body and f"{family.mobile[:3]}****{family.mobile[-4:]}" in body


def test_f11_the_day_sheet_pdf_parses_back_with_the_time_and_order_reference(client, scene):
    provider, resource, staff = scene
    _booking, order, _family = place(provider, 10, resource, confirm_by=staff)
    client.force_login(staff)
    response = client.get(url("day_pdf", provider, day=tomorrow().isoformat()))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    content = "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    assert "10:00-11:00" in content and order.reference in content


def test_f11_staff_proposes_a_move_and_nothing_moves_until_the_family_agrees(client, scene):
    provider, resource, staff = scene
    booking, _order, _family = place(provider, 8, resource)
    elsewhere = published(hall(funeral_home(), name="他馆厅"), days=1)
    client.force_login(staff)
    move = url("move", provider, pk=booking.pk)
    page = text(client.get(move))
    choices = page[page.index('<select name="slot"') : page.index("</select>")]
    target = slot_at(resource, 11)
    assert f'<option value="{target.pk}"' in choices and f'<option value="{booking.slot_id}"' not in choices
    assert f'<option value="{slot_at(elsewhere, 9).pk}"' not in choices
    no_note = client.post(move, {"slot": target.pk, "note": ""})
    assert no_note.status_code == 400
    foreign = client.post(move, {"slot": slot_at(elsewhere, 9).pk, "note": "调整"})
    assert foreign.status_code == 400
    response = client.post(move, {"slot": target.pk, "note": "上午八点礼厅检修"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.proposed_slot, booking.proposal_note, booking.slot) == (
        target,
        "上午八点礼厅检修",
        slot_at(resource, 8),
    )
    assert booking.status == B.REQUESTED
    sheet = text(client.get(url("day", provider, day=tomorrow().isoformat())))
    assert "已提议改至" in sheet and "待家属确认" in sheet
    # A hold (no order yet) cannot be moved by the funeral home.
    held = services.hold(slot_at(resource, 9), family_user())
    assert client.get(url("move", provider, pk=held.pk)).status_code == 404


# --- Nobody reaches another funeral home's records ----------------------------------------------


def test_f11_a_stranger_or_another_funeral_homes_staff_gets_404_everywhere(client, scene):
    victim, resource, _staff = scene
    booking, order, _family = place(victim, 8, resource)
    other = funeral_home()
    own = published(hall(other, name="他馆厅"), days=1)
    intruder = staff_user(other)
    day = tomorrow().isoformat()
    gets = [
        url("provider", victim),
        url("day", victim, day=day),
        url("day_csv", victim, day=day),
        url("day_pdf", victim, day=day),
        url("move", victim, pk=booking.pk),
        # Mixed: the intruder's own funeral home with the victim's booking.
        url("move", other, pk=booking.pk),
    ]
    posts = [
        (
            url("publish", victim),
            {"resource": resource.pk, "year": tomorrow().year, "month": tomorrow().month},
        ),
        (url("close", victim), {"resource": resource.pk, "starts_on": day, "ends_on": day, "reason": "x"}),
        (
            url("add_resource", victim),
            {
                "kind": "hall",
                "name": "入侵厅",
                "opens": "08:00",
                "closes": "09:00",
                "weekdays": ["1"],
                "slot_minutes": 60,
                "capacity": 1,
            },
        ),
        (url("move", victim, pk=booking.pk), {"slot": slot_at(resource, 11).pk, "note": "入侵"}),
        (url("move", other, pk=booking.pk), {"slot": slot_at(own, 11).pk, "note": "入侵"}),
    ]
    for user in (intruder, family_user()):
        client.force_login(user)
        for address in gets:
            assert client.get(address).status_code == 404, (user, address)
        for address, data in posts:
            assert client.post(address, data).status_code == 404, (user, address)
    # The intruder's own pages show none of the victim's data.
    client.force_login(intruder)
    assert order.reference not in text(client.get(url("day", other, day=day)))
    assert resource.name not in text(client.get(url("provider", other)))
    booking.refresh_from_db()
    assert booking.proposed_slot is None and not Closure.objects.exists()
    assert not Resource.objects.filter(name="入侵厅").exists()
    assert Slot.objects.filter(resource=resource).count() == 7 * 4
    # Signed out: to the sign-in page.
    client.logout()
    assert client.get(url("provider", victim)).status_code == 302


def test_f11_the_workbench_index_lists_only_the_users_funeral_homes(client, scene):
    provider, _resource, staff = scene
    second = funeral_home()
    from tests.factories.catalogue import make_member

    make_member(second, user=staff)
    unrelated = funeral_home()
    client.force_login(staff)
    page = text(client.get(reverse("order_slots_workbench:index")))
    assert (
        escape(provider.name) in page and escape(second.name) in page and escape(unrelated.name) not in page
    )
    workbench = text(client.get(reverse("workbench:index")))
    assert url("provider", provider) in workbench


# --- Query counts -------------------------------------------------------------------------------


def test_f11_provider_page_and_week_calendar_query_count_stays_flat(
    client, scene, django_assert_max_num_queries
):
    provider, resource, staff = scene
    client.force_login(staff)
    week = url("provider", provider) + f"?week={tomorrow().isoformat()}"
    client.get(week)  # the site's settings rows are made on the first page
    with CaptureQueriesContext(connection) as small:
        client.get(week)
    with django_assert_max_num_queries(25):
        client.get(week)
    for n in range(4):
        published(hall(provider, name=f"厅{n}", capacity=2, opens=datetime.time(6)), days=7)
    services.hold(slot_at(resource, 8), family_user())
    place(provider, 9, resource)
    place(provider, 10, resource, confirm_by=staff)
    with CaptureQueriesContext(connection) as large, django_assert_max_num_queries(25):
        page = text(client.get(week))
    calendar = page[page.index("<caption>") : page.index("</table>")]
    assert calendar.count("</time>") == 7 * 4 + 4 * 7 * 6
    assert len(large.captured_queries) == len(small.captured_queries)


def test_f11_day_sheet_query_count_stays_flat(client, scene, django_assert_max_num_queries):
    provider, resource, staff = scene
    client.force_login(staff)
    day = url("day", provider, day=tomorrow().isoformat())
    client.get(day)
    place(provider, 8, resource)
    with CaptureQueriesContext(connection) as one:
        client.get(day)
    for hour in (9, 10, 11):
        place(provider, hour, resource, confirm_by=staff)
    with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as four:
        client.get(day)
    assert len(four.captured_queries) == len(one.captured_queries)


# --- The bureau ---------------------------------------------------------------------------------


def officer(group):
    user = family_user(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_f11_the_bureau_sees_the_load_per_funeral_home(client, scene):
    provider, resource, staff = scene
    services.hold(slot_at(resource, 8), family_user())
    place(provider, 9, resource)
    place(provider, 10, resource, confirm_by=staff)
    fleet_home = funeral_home()
    published(hall(fleet_home, kind="vehicle", name="殡仪车", capacity=3, seats=None), days=1)
    idle = funeral_home()
    hall(idle, name="未发布厅")
    funeral_home()  # no resources: not listed
    last = tomorrow() + datetime.timedelta(days=6)
    address = reverse("order_slots_admin:load") + f"?from={tomorrow()}&to={last}"

    client.force_login(officer(FUNERAL_SECTION))
    page = text(client.get(address))
    # 7 days × 4 slots; one live hold, one request, one booking: 1 of 28 booked.
    row = f'<th scope="row">{escape(provider.name)}</th><td>28</td><td>28</td><td>1</td><td>1</td><td>1</td><td>3.6%</td>'
    assert row in page
    assert (
        f'<th scope="row">{escape(fleet_home.name)}</th><td>4</td><td>12</td><td>0</td><td>0</td><td>0</td><td>0.0%</td>'
        in page
    )
    assert (
        f'<th scope="row">{escape(idle.name)}</th><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>-</td>'
        in page
    )
    assert "<caption>" in page and "<td>32</td><td>40</td><td>1</td><td>1</td><td>1</td><td>2.5%</td>" in page
    # The default range is the next seven days from today.
    assert client.get(reverse("order_slots_admin:load")).status_code == 200

    client.force_login(officer(SOCIAL_ORG_SECTION))
    assert client.get(address).status_code in (302, 403)
    client.force_login(family_user())
    assert client.get(address).status_code in (302, 403)
    client.force_login(staff)
    assert client.get(address).status_code in (302, 403)


def test_f11_staff_edit_a_resource_and_the_next_publication_uses_the_new_hours(client, scene):
    provider, resource, staff = scene
    booking, _order, _family = place(provider, 9, resource, confirm_by=staff)
    other = hall(funeral_home(name="别家殡仪馆"), name="别家厅")
    client.force_login(staff)
    edit = reverse("order_slots_workbench:edit_resource", args=[provider.slug, resource.pk])
    page = client.get(edit).content.decode()
    assert 'value="福寿厅"' in page and 'value="08:00"' in page
    response = client.post(
        edit,
        {
            "name": "福寿厅（改造后）",
            "seats": "120",
            "opens": "13:00",
            "closes": "15:00",
            "weekdays": ["1", "2", "3", "4", "5", "6", "7"],
            "slot_minutes": "60",
            "capacity": "2",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.name, resource.seats, resource.capacity) == ("福寿厅（改造后）", 120, 2)
    assert resource.kind == "hall"
    # Published slots and their bookings stay; the next publication uses the new hours.
    booking.refresh_from_db()
    assert booking.status == B.BOOKED and booking.slot == slot_at(resource, 9)
    later = tomorrow() + datetime.timedelta(days=10)
    services.publish(resource, first_day=later, last_day=later)
    assert [
        timezone.localtime(s.starts_at).hour
        for s in Slot.objects.filter(resource=resource, starts_at__date=later)
    ] == [13, 14]
    # A name another resource of the funeral home uses, or closing before opening, is refused.
    hall(provider, name="寿康厅")
    bad = client.post(
        edit,
        {
            "name": "寿康厅",
            "opens": "15:00",
            "closes": "13:00",
            "weekdays": ["1"],
            "slot_minutes": "60",
            "capacity": "1",
        },
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "寿康厅" in text and "结束时间须晚于开始时间" in text
    # Another funeral home's resource is not there for this staff member.
    assert (
        client.get(reverse("order_slots_workbench:edit_resource", args=[provider.slug, other.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("order_slots_workbench:edit_resource", args=[other.provider.slug, other.pk])
        ).status_code
        == 404
    )
