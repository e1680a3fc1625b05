"""M3 through HTTP: a family books on the public pages and gets a QR pass that /verify/ reads as
valid, used or cancelled with a masked name; the cemetery's workbench publishes sessions, keeps
the day sheet (CSV safe for spreadsheets) and marks arrivals; nobody reaches another's records."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from marketplace.memorials.visits.models import Booking, BookingStatus, VisitSession
from tests.factories import visits as f

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def scene():
    cemetery = f.cemetery(slug="xishan-test")
    session = f.session(cemetery, f.today() + datetime.timedelta(days=3), normal_capacity=10)
    return cemetery, session, f.cemetery_staff(cemetery)


def _book(client, session, **data):
    payload = {"id_number": f.new_id(), "grave": "松园 A区3排12号", "visitors": 2, **data}
    return client.post(reverse("memorial_visits:book", args=[session.pk]), payload)


def test_m3_family_books_and_the_pass_reads_valid_used_then_cancelled(client, scene):
    cemetery, session, staff = scene
    family = f.family_user()
    eve = session.date - datetime.timedelta(days=2)
    with freeze_time(f.at(eve, "10:00")):
        index = client.get(reverse("memorial_visits:index"))
        assert cemetery.name in index.content.decode()
        page = client.get(reverse("memorial_visits:provider", args=[cemetery.slug])).content.decode()
        assert "10 / 10" in page and reverse("memorial_visits:book", args=[session.pk]) in page
        signed_in(client, family)
        response = _book(client, session)
        booking = Booking.objects.get(user=family)
        assert response.status_code == 302 and booking.reference in response["Location"]
        page = client.get(response["Location"]).content.decode()
        code = booking.pass_document.code
        assert code in page and "<svg" in page and "二维码" in page
        assert VisitSession.objects.get(pk=session.pk).booked == 2
        pdf = client.get(reverse("memorial_visits:pass_pdf", args=[booking.reference]))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        client.logout()
        verify = client.get(reverse("verify:detail", args=[code])).content.decode()
        assert "有效，未使用" in verify and "王*" in verify and "王丽" not in verify
        assert "预约祭扫凭证" in verify

    with freeze_time(f.at(session.date, "08:10")):
        signed_in(client, staff)
        scanned = "http://testserver" + reverse("verify:detail", args=[code])
        gate = client.post(reverse("memorial_visits_workbench:gate", args=[cemetery.slug]), {"code": scanned})
        assert gate.status_code == 200 and "核验通过" in gate.content.decode()
        again = client.post(reverse("memorial_visits_workbench:gate", args=[cemetery.slug]), {"code": code})
        assert again.status_code == 400 and "入园使用" in again.content.decode()
        client.logout()
        verify = client.get(reverse("verify:detail", args=[code])).content.decode()
        assert "已使用" in verify and "08:10" in verify

    with freeze_time(f.at(eve, "11:00")):
        signed_in(client, family)
        _book(client, session, grave="松园 A区3排13号")
        second = Booking.objects.filter(user=family).latest("pk")
        response = client.post(reverse("memorial_visits:cancel", args=[second.reference]))
        assert response.status_code == 302
        assert Booking.objects.get(pk=second.pk).status == BookingStatus.CANCELLED
        assert VisitSession.objects.get(pk=session.pk).booked == 2
        client.logout()
        verify = client.get(reverse("verify:detail", args=[second.pass_document.code])).content.decode()
        assert "已取消" in verify and "已作废" in verify


def test_m3_the_booking_form_names_each_refusal(client, scene):
    _cemetery, session, _staff = scene
    with freeze_time(f.at(session.date - datetime.timedelta(days=2))):
        signed_in(client, f.family_user())
        too_many = _book(client, session, visitors=6)
        assert too_many.status_code == 400
        assert "每个预约最多 5 人" in too_many.content.decode()
        assert 'id="error-summary"' in too_many.content.decode()
        bad_id = _book(client, session, id_number="110108199001011230")
        assert bad_id.status_code == 400 and "校验位" in bad_id.content.decode()
        assert Booking.objects.count() == 0

        signed_in(client, f.family_user(real_name_verified_at=None))
        page = client.get(reverse("memorial_visits:book", args=[session.pk])).content.decode()
        assert "实名" in page and 'name="id_number"' not in page
        assert _book(client, session).status_code == 400
        assert Booking.objects.count() == 0

    with freeze_time(f.at(session.date - datetime.timedelta(days=1), "15:00")):
        signed_in(client, f.family_user())
        closed = _book(client, session)
        assert closed.status_code == 400 and "截止预约" in closed.content.decode()


def test_m3_cemetery_staff_cannot_see_or_change_another_cemeterys_sessions_or_bookings(client, scene):
    victim, session, _victim_staff = scene
    other = f.cemetery(slug="other-cemetery", name="另一公墓")
    intruder = f.cemetery_staff(other)
    booking = f.book(session)
    from marketplace.memorials.visits import services

    code = services.issue_pass(booking).code
    signed_in(client, intruder)
    day = session.date.isoformat()
    for name, kwargs in (
        ("provider", {"slug": victim.slug}),
        ("bulk_create", {"slug": victim.slug}),
        ("gate", {"slug": victim.slug}),
        ("day", {"slug": victim.slug, "day": day}),
        ("day_csv", {"slug": victim.slug, "day": day}),
        ("day_pdf", {"slug": victim.slug, "day": day}),
    ):
        assert client.get(reverse(f"memorial_visits_workbench:{name}", kwargs=kwargs)).status_code == 404, (
            name
        )
    form = {
        "first_day": day,
        "last_day": day,
        "windows": "16:00-17:00",
        "area": "outdoor",
        "normal_capacity": 5,
        "max_visitors_per_booking": 2,
    }
    assert (
        client.post(reverse("memorial_visits_workbench:bulk_create", args=[victim.slug]), form).status_code
        == 404
    )
    assert not VisitSession.objects.filter(starts_at=datetime.time(16)).exists()
    # At its own gate the intruder can't find the victim's pass, on the session's day.
    with freeze_time(f.at(session.date, "08:30")):
        response = client.post(reverse("memorial_visits_workbench:gate", args=[other.slug]), {"code": code})
    assert response.status_code == 400 and "未找到本机构" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
    # Nor does its workbench list the victim's sessions.
    page = client.get(reverse("memorial_visits_workbench:provider", args=[other.slug])).content.decode()
    assert session.window not in page


def test_m3_a_family_sees_and_cancels_only_its_own_bookings(client, scene):
    _cemetery, session, _staff = scene
    booking = f.book(session)
    signed_in(client, f.family_user())
    for name in ("booking", "pass_pdf"):
        assert client.get(reverse(f"memorial_visits:{name}", args=[booking.reference])).status_code == 404
    assert client.post(reverse("memorial_visits:cancel", args=[booking.reference])).status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
    assert booking.reference not in client.get(reverse("memorial_visits:mine")).content.decode()


def test_visits_workbench_bulk_creation_and_day_sheet(client, scene):
    cemetery, session, staff = scene
    f.book(session, grave='=HYPERLINK("http://evil.example")', visitors=2)
    signed_in(client, staff)
    first = f.today() + datetime.timedelta(days=10)
    response = client.post(
        reverse("memorial_visits_workbench:bulk_create", args=[cemetery.slug]),
        {
            "first_day": first.isoformat(),
            "last_day": (first + datetime.timedelta(days=1)).isoformat(),
            "windows": "08:00-10:00\n10:00-12:00",
            "area": "indoor",
            "normal_capacity": 40,
            "max_visitors_per_booking": 4,
        },
    )
    assert response.status_code == 302
    assert VisitSession.objects.filter(provider=cemetery, area="indoor").count() == 4
    overlapping = client.post(
        reverse("memorial_visits_workbench:bulk_create", args=[cemetery.slug]),
        {
            "first_day": first.isoformat(),
            "last_day": first.isoformat(),
            "windows": "08:00-10:00\n09:00-11:00",
            "area": "indoor",
            "normal_capacity": 40,
            "max_visitors_per_booking": 4,
        },
    )
    assert overlapping.status_code == 400 and "重叠" in overlapping.content.decode()
    page = client.get(reverse("memorial_visits_workbench:provider", args=[cemetery.slug])).content.decode()
    assert "已预约 2 / 容量 10 人" in page

    day = session.date.isoformat()
    sheet = client.get(reverse("memorial_visits_workbench:day", args=[cemetery.slug, day])).content.decode()
    assert "王*" in sheet and "王丽" not in sheet
    csv = b"".join(
        client.get(reverse("memorial_visits_workbench:day_csv", args=[cemetery.slug, day])).streaming_content
    )
    text = csv.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert "王*" in text and "110" in text and "11010819" not in text
    pdf = client.get(reverse("memorial_visits_workbench:day_pdf", args=[cemetery.slug, day]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_visits_public_pages_query_count_stays_flat(client, django_assert_max_num_queries):
    cemetery = f.cemetery(slug="flat-test")
    days = [f.today() + datetime.timedelta(days=n) for n in range(2, 6)]

    def publish(windows):
        from marketplace.memorials.visits import services

        services.create_sessions(
            cemetery,
            first_day=days[0],
            last_day=days[-1],
            windows=windows,
            area="outdoor",
            normal_capacity=20,
        )

    publish([(datetime.time(8), datetime.time(9))])
    client.get(reverse("memorial_visits:index"))  # the site's settings row is made on the first page
    with freeze_time(f.at(f.today(), "09:00")):
        with django_assert_max_num_queries(12):
            client.get(reverse("memorial_visits:index"))
        with django_assert_max_num_queries(12):
            client.get(reverse("memorial_visits:provider", args=[cemetery.slug]))
    publish([(datetime.time(h), datetime.time(h, 50)) for h in range(9, 17)])
    for n in range(5):
        f.cemetery(slug=f"flat-{n}", name=f"公墓{n}")
    with freeze_time(f.at(f.today(), "09:00")):
        with django_assert_max_num_queries(12):
            client.get(reverse("memorial_visits:index"))
        with django_assert_max_num_queries(12):
            page = client.get(reverse("memorial_visits:provider", args=[cemetery.slug]))
    assert page.content.decode().count("预约 ") >= 9 * len(days) - 1


def test_visits_bureau_sees_city_wide_load_per_day_and_per_cemetery(client, scene):
    from accounts.groups import FUNERAL_SECTION, SOCIAL_ORG_SECTION
    from tests.factories.orders import family_user as make_user

    cemetery, session, _staff = scene
    other = f.cemetery(slug="load-other", name="潮白河测试骨灰堂", type="columbarium")
    f.session(other, session.date, normal_capacity=30, area="indoor")
    f.book(session, visitors=3)
    f.book(session, visitors=2)

    def officer(group):
        from django.contrib.auth.models import Group

        user = make_user(is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        return user

    url = reverse("memorial_visits_admin:load") + f"?from={session.date}&to={session.date}"
    signed_in(client, officer(FUNERAL_SECTION))
    page = client.get(url).content.decode()
    assert cemetery.name in page and other.name in page
    # City-wide: 5 booked of 10 + 30 places that day.
    assert f'<th scope="row">{session.date:%Y-%m-%d}</th><td>5</td><td>40</td>' in page
    signed_in(client, officer(SOCIAL_ORG_SECTION))
    assert client.get(url).status_code in (302, 403)


def test_m3_the_bureau_sets_a_festival_period_in_the_admin_and_sessions_follow(client, scene):
    from django.contrib.auth.models import Group

    from accounts.groups import FUNERAL_SECTION
    from marketplace.memorials.visits.models import FestivalPeriod
    from tests.factories.orders import family_user as make_user

    _cemetery, session, _staff = scene
    officer = make_user(is_staff=True)
    officer.groups.add(Group.objects.get(name=FUNERAL_SECTION))
    signed_in(client, officer)
    add = reverse("memorial_visits_period:add")
    data = {
        "name": "测试清明",
        "starts_on": session.date.isoformat(),
        "ends_on": (session.date + datetime.timedelta(days=2)).isoformat(),
        "bookings_per_id": "",
        "outdoor_share": "0.70",
        "indoor_share": "",
    }
    assert client.post(add, data).status_code == 302
    period = FestivalPeriod.objects.get()
    assert (
        VisitSession.objects.get(pk=session.pk).capacity,
        VisitSession.objects.get(pk=session.pk).period,
    ) == (
        7,
        period,
    )
    overlapping = client.post(add, {**data, "name": "重叠", "starts_on": period.ends_on.isoformat()})
    assert overlapping.status_code == 200 and "日期重叠" in overlapping.content.decode()
    assert FestivalPeriod.objects.count() == 1


def test_visits_a_cemeterys_catalogue_page_links_to_its_sessions(client, scene):
    from tests.factories.catalogue import ProviderFactory

    cemetery, _session, _staff = scene
    page = client.get(reverse("catalogue:provider", args=[cemetery.slug])).content.decode()
    assert reverse("memorial_visits:provider", args=[cemetery.slug]) in page
    funeral_home = ProviderFactory()
    page = client.get(reverse("catalogue:provider", args=[funeral_home.slug])).content.decode()
    assert "/memorials/visits/" not in page
