"""M3, booked visits: every limit of the rule at its exact boundary, through the services.

Capacity (with the festival shares), visitors per booking, the grave's visitors per day, the
ID's bookings per festival period (active ones only), the booking window (N days ahead, the
15:00 cut-off of the day before), real name, cancellation giving everything back, the gate,
and no-shows."""

import datetime
from decimal import Decimal

import pytest
from django.test import override_settings

from marketplace.memorials.visits import services
from marketplace.memorials.visits.models import (
    Booking,
    BookingStatus,
    GraveDayLoad,
    IdPeriodLoad,
    VisitSession,
)
from marketplace.memorials.visits.services import BookingRefused
from tests.factories import visits as f

pytestmark = pytest.mark.django_db


def refused(call, *args, **kwargs):
    with pytest.raises(BookingRefused) as caught:
        call(*args, **kwargs)
    return " ".join(caught.value.messages)


def reload(session):
    return VisitSession.objects.get(pk=session.pk)


# --- Capacity ---------------------------------------------------------------------------------


def test_m3_festival_capacity_is_the_share_of_normal_rounded_down():
    cemetery = f.cemetery()
    period = f.period()
    day = period.starts_on + datetime.timedelta(days=1)
    outdoor = f.session(cemetery, day, normal_capacity=15, area="outdoor")
    indoor = f.session(cemetery, day, normal_capacity=15, area="indoor")
    ordinary = f.session(cemetery, period.ends_on + datetime.timedelta(days=1), normal_capacity=15)
    assert (outdoor.capacity, outdoor.period) == (10, period)  # 15 × 0.70 = 10.5 → 10
    assert indoor.capacity == 7  # 15 × 0.50 = 7.5 → 7
    assert (ordinary.capacity, ordinary.period) == (15, None)


def test_m3_a_period_sets_its_own_shares_and_existing_sessions_follow():
    cemetery = f.cemetery()
    day = f.today() + datetime.timedelta(days=3)
    session = f.session(cemetery, day, normal_capacity=20)
    assert session.capacity == 20
    period = f.period(starts_on=day, days=1, outdoor_share=Decimal("0.60"))
    assert (reload(session).capacity, reload(session).period) == (12, period)
    with override_settings(M3_PEAK_SHARE_OUTDOOR=Decimal("0.80")):
        other = f.session(cemetery, day, normal_capacity=20, start="10:00", end="12:00")
    assert other.capacity == 12  # the period's own share wins over the setting
    # Moved away from that day, the period lets the day's sessions return to normal capacity.
    period.starts_on = period.ends_on = day + datetime.timedelta(days=5)
    period.save()
    assert (reload(session).capacity, reload(session).period) == (20, None)


def test_m3_session_is_never_oversold_at_the_boundary():
    session = f.session(normal_capacity=10)
    for _n in range(3):
        f.book(session, visitors=3)
    assert reload(session).booked == 9
    message = refused(f.book, session, visitors=2)
    assert "只剩 1 个名额" in message and "容量 10 人" in message
    f.book(session, visitors=1)
    assert reload(session).booked == 10
    assert "已约满" in refused(f.book, session, visitors=1)
    assert Booking.objects.filter(session=session).count() == 4


def test_m3_visitors_per_booking_at_the_boundary():
    session = f.session(normal_capacity=50, max_visitors_per_booking=3)
    f.book(session, visitors=3)
    assert "每个预约最多 3 人" in refused(f.book, session, visitors=4)
    assert "至少为 1 人" in refused(f.book, session, visitors=0)
    assert reload(session).booked == 3


# --- The grave's visitors per day --------------------------------------------------------------


def test_m3_grave_cap_per_day_across_sessions_at_the_boundary():
    cemetery = f.cemetery()
    day = f.today() + datetime.timedelta(days=2)
    morning = f.session(cemetery, day, normal_capacity=50)
    afternoon = f.session(cemetery, day, normal_capacity=50, start="13:00", end="15:00")
    f.book(morning, visitors=3, grave="A区 3排12号")
    # The same grave written another way (full-width, spaces, case) is the same grave.
    f.book(afternoon, visitors=2, grave="ａ区3排 12号")
    message = refused(f.book, afternoon, visitors=1, grave="A区3排12号")
    assert "每个墓位每天最多 5 人" in message and "已预约 5 人" in message
    f.book(afternoon, visitors=1, grave="A区3排13号")  # another grave
    next_day = f.session(cemetery, day + datetime.timedelta(days=1), normal_capacity=50)
    f.book(next_day, visitors=5, grave="A区3排12号")  # another day


@override_settings(M3_GRAVE_VISITORS_PER_DAY=2)
def test_m3_grave_cap_is_a_setting():
    session = f.session(normal_capacity=50)
    assert "每天最多 2 人" in refused(f.book, session, visitors=3, grave="B区1号")
    f.book(session, visitors=2, grave="B区1号")


# --- Per ID per festival period ------------------------------------------------------------------


def test_m3_per_id_limit_counts_only_active_bookings_in_the_same_period():
    cemetery = f.cemetery()
    period = f.period(days=5)
    first = f.session(cemetery, period.starts_on, normal_capacity=50)
    second = f.session(cemetery, period.starts_on + datetime.timedelta(days=1), normal_capacity=50)
    number = f.new_id()
    booking = f.book(first, id_number=number)
    message = refused(f.book, second, id_number=number)
    assert "最多预约 1 次" in message and "测试清明" in message
    # Cancelling frees the ID's booking in the period.
    services.cancel(booking, booking.user, now=f.at(first.date - datetime.timedelta(days=2)))
    f.book(second, id_number=number)
    # Another period, and days outside any period, are not counted.
    later = f.period(starts_on=period.ends_on + datetime.timedelta(days=3), days=2, name="寒衣节")
    f.book(f.session(cemetery, later.starts_on, normal_capacity=50), id_number=number)
    f.book(
        f.session(cemetery, period.ends_on + datetime.timedelta(days=1), normal_capacity=50), id_number=number
    )
    assert IdPeriodLoad.objects.get(period=period).bookings == 1


def test_m3_a_period_may_allow_more_bookings_per_id():
    cemetery = f.cemetery()
    period = f.period(days=5, bookings_per_id=2)
    sessions = [f.session(cemetery, period.starts_on + datetime.timedelta(days=n)) for n in range(3)]
    number = f.new_id()
    f.book(sessions[0], id_number=number)
    f.book(sessions[1], id_number=number)
    assert "最多预约 2 次" in refused(f.book, sessions[2], id_number=number)


def test_m3_one_id_books_a_session_once():
    session = f.session(normal_capacity=50)
    number = f.new_id()
    f.book(session, id_number=number)
    assert "已预约本场次" in refused(f.book, session, id_number=number, grave="C区1号")


# --- When booking opens and closes ---------------------------------------------------------------


def test_m3_cutoff_at_exactly_15_00_the_day_before():
    session = f.session()
    eve = session.date - datetime.timedelta(days=1)
    f.book(session, now=f.at(eve, "14:59:59"))
    message = refused(f.book, session, now=f.at(eve, "15:00:00"))
    assert "截止预约" in message and "15:00" in message
    assert "截止预约" in refused(f.book, session, now=f.at(session.date, "07:00"))


@override_settings(M3_NEXT_DAY_CUTOFF="12:30")
def test_m3_cutoff_is_a_setting():
    session = f.session()
    eve = session.date - datetime.timedelta(days=1)
    assert "12:30" in refused(f.book, session, now=f.at(eve, "12:30"))
    f.book(session, now=f.at(eve, "12:29"))


def test_m3_booking_opens_n_days_ahead_at_the_boundary():
    session = f.session(f.cemetery(), f.today() + datetime.timedelta(days=9))
    message = refused(f.book, session, now=f.at(session.date - datetime.timedelta(days=8), "23:59"))
    assert "可提前 7 天预约" in message
    f.book(session, now=f.at(session.date - datetime.timedelta(days=7), "00:00"))


def test_m3_bookable_days_follow_the_cutoff():
    today = f.today()
    assert services.bookable_days(f.at(today, "14:59")) == (
        today + datetime.timedelta(days=1),
        today + datetime.timedelta(days=7),
    )
    assert services.bookable_days(f.at(today, "15:00"))[0] == today + datetime.timedelta(days=2)


# --- Real name ----------------------------------------------------------------------------------


def test_m3_booking_is_real_name():
    session = f.session()
    unverified = f.family_user(real_name_verified_at=None)
    assert "实名" in refused(f.book, session, unverified)
    with pytest.raises(Exception) as caught:
        f.book(session, id_number="110108199001011230")  # wrong check character
    assert "校验位" in " ".join(caught.value.messages)
    booking = f.book(session, id_number=f.id_number("11010819400315123"))
    stored = Booking.objects.get(pk=booking.pk)
    assert stored.id_masked.startswith("110") and "*" in stored.id_masked
    assert "11010819400315123" not in stored.id_hmac and len(stored.id_hmac) == 64
    assert stored.visitor_name == "王丽"


# --- Cancellation --------------------------------------------------------------------------------


def test_m3_cancellation_frees_places_grave_and_id():
    session = f.session(normal_capacity=4)
    kept = f.book(session, visitors=2, grave="D区1号")
    cancelled = f.book(session, visitors=2, grave="D区1号")
    assert "已约满" in refused(f.book, session, visitors=1)
    services.cancel(cancelled, cancelled.user, now=f.at(session.date, "07:59"))
    assert reload(session).booked == 2
    assert GraveDayLoad.objects.get(grave_key="D区1号").visitors == 2
    assert Booking.objects.get(pk=cancelled.pk).status == BookingStatus.CANCELLED
    f.book(session, visitors=2, grave="D区1号")
    assert reload(session).booked == 4
    # Twice, or after the session started, is refused.
    assert "不能取消" in refused(services.cancel, cancelled, cancelled.user, now=f.at(session.date, "07:00"))
    assert "已经开始" in refused(services.cancel, kept, kept.user, now=f.at(session.date, "08:00"))


# --- The gate and no-shows -------------------------------------------------------------------------


def test_m3_arrival_is_marked_once_on_the_day_at_its_own_cemetery():
    session = f.session()
    booking = f.book(session)
    document = services.issue_pass(booking)
    other_cemetery = f.cemetery(name="另一公墓")
    assert "未找到本机构" in refused(services.mark_arrival, other_cemetery, document.code, None)
    assert "今天不能入园" in refused(
        services.mark_arrival,
        session.provider,
        document.code,
        None,
        now=f.at(session.date - datetime.timedelta(days=1)),
    )
    scanned = f"https://mzj.example/verify/{document.code}/"
    services.mark_arrival(session.provider, scanned, None, now=f.at(session.date, "08:05"))
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.USED
    assert "已于" in refused(
        services.mark_arrival, session.provider, document.code, None, now=f.at(session.date, "08:06")
    )


def test_m3_no_show_is_recorded_after_the_session_ends():
    session = f.session()
    came, missed = f.book(session), f.book(session)
    services.mark_arrival(session.provider, came.reference, None, now=f.at(session.date, "09:00"))
    assert services.record_no_shows(now=f.at(session.date, "09:59")) == 0
    assert services.record_no_shows(now=f.at(session.date, "10:00")) == 1
    assert Booking.objects.get(pk=missed.pk).status == BookingStatus.NO_SHOW
    assert Booking.objects.get(pk=came.pk).status == BookingStatus.USED
    assert "不能取消" in refused(services.cancel, missed, missed.user, now=f.at(session.date, "07:00"))


def test_m3_bulk_creation_covers_every_day_and_window_once():
    cemetery = f.cemetery()
    period = f.period(days=3)
    windows = services.parse_windows("08:00-10:00\n10:00–12:00\n\n13:30-15:30")
    created, skipped = services.create_sessions(
        cemetery,
        first_day=period.starts_on,
        last_day=period.ends_on,
        windows=windows,
        area="outdoor",
        normal_capacity=100,
    )
    assert (len(created), skipped) == (9, 0)
    assert set(VisitSession.objects.filter(provider=cemetery).values_list("capacity", flat=True)) == {70}
    again, skipped = services.create_sessions(
        cemetery,
        first_day=period.starts_on,
        last_day=period.ends_on,
        windows=windows,
        area="outdoor",
        normal_capacity=100,
    )
    assert (len(again), skipped) == (0, 9)
    assert "重叠" in refused(services.parse_windows, "08:00-10:00\n09:00-11:00")
    assert "08:00-10:00 的样子" in refused(services.parse_windows, "8点到10点")
    funeral_home = f.cemetery(type="funeral_home", name="殡仪馆")
    assert "只有公墓和骨灰堂" in refused(
        services.create_sessions,
        funeral_home,
        first_day=period.starts_on,
        last_day=period.ends_on,
        windows=windows,
        area="outdoor",
        normal_capacity=10,
    )


def test_m3_no_shows_command_records_ended_sessions_only():
    import io

    from django.core.management import call_command
    from freezegun import freeze_time

    ended, later = f.session(), f.session(start="13:00", end="15:00")
    missed, waiting = f.book(ended), f.book(later)
    out = io.StringIO()
    with freeze_time(f.at(ended.date, "12:00")):
        call_command("record_visit_no_shows", stdout=out)
    assert "1" in out.getvalue()
    assert Booking.objects.get(pk=missed.pk).status == BookingStatus.NO_SHOW
    assert Booking.objects.get(pk=waiting.pk).status == BookingStatus.BOOKED


def test_m3_a_period_defined_after_bookings_counts_them_against_the_id_limit():
    cemetery = f.cemetery()
    day = f.today() + datetime.timedelta(days=3)
    first = f.session(cemetery, day, normal_capacity=50)
    second = f.session(cemetery, day + datetime.timedelta(days=1), normal_capacity=50)
    number = f.new_id()
    early = f.book(first, id_number=number)
    period = f.period(starts_on=day, days=2)
    assert Booking.objects.get(pk=early.pk).period == period
    assert "最多预约 1 次" in refused(f.book, second, id_number=number)
    services.cancel(early, early.user, now=f.at(day - datetime.timedelta(days=1)))
    assert IdPeriodLoad.objects.get(period=period).bookings == 0
    f.book(second, id_number=number)
