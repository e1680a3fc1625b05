"""Demo data of booked visits (M3): a Qingming-like festival period starting in a few days (so
booking is open whenever the demo is loaded), sessions at two demo cemeteries of the catalogue
(outdoor at a cemetery, indoor at a columbarium, before and during the period), and a few
real-name bookings with their passes. Safe to run twice: nothing is made again."""

import datetime

from django.utils import timezone

from accounts.demo import DEMO_FAMILY_MOBILE, ensure_user
from marketplace.catalogue.models import Provider
from marketplace.orders import identity

from . import services
from .models import Booking, FestivalPeriod, VisitSession

PERIOD_NAME = "清明节祭扫高峰（示例）"
SITES = (
    # slug, area, normal capacity
    ("demo-xishan-cemetery", VisitSession.Area.OUTDOOR, 200),
    ("demo-chaobai-columbarium", VisitSession.Area.INDOOR, 100),
)
WINDOWS = "08:00-10:00\n10:00-12:00\n13:00-15:00"
# (mobile, real name, first 17 digits of the visitor's ID, site, day offset in the period, window, grave, visitors)
BOOKINGS = (
    (DEMO_FAMILY_MOBILE, "王丽", "11010819680312042", 0, 0, "08:00", "松园 A区3排12号", 2),
    ("13930000001", "李强", "11010519700815003", 0, 1, "10:00", "柏园 C区1排5号", 3),
    ("13930000002", "赵敏", "11010219750101002", 1, 2, "08:00", "思源堂 2楼 B架 16格", 2),
)


def _period(today):
    period = FestivalPeriod.objects.filter(name=PERIOD_NAME).first()
    if period is None:
        start = today + datetime.timedelta(days=3)
        period = FestivalPeriod.objects.create(
            name=PERIOD_NAME, starts_on=start, ends_on=start + datetime.timedelta(days=6)
        )
    return period


def load(out):
    today = timezone.localdate()
    period = _period(today)
    providers = []
    for slug, area, capacity in SITES:
        provider = Provider.objects.filter(slug=slug).first()
        if provider is None:
            continue
        providers.append(provider)
        first_day = max(today + datetime.timedelta(days=1), period.starts_on - datetime.timedelta(days=2))
        last_day = max(period.ends_on, first_day)
        services.create_sessions(
            provider,
            first_day=first_day,
            last_day=last_day,
            windows=services.parse_windows(WINDOWS),
            area=area,
            normal_capacity=capacity,
        )
    made = 0
    for mobile, name, first17, site, offset, start, grave, visitors in BOOKINGS:
        if site >= len(providers):
            continue
        day = period.starts_on + datetime.timedelta(days=offset)
        session = VisitSession.objects.filter(
            provider=providers[site], date=day, starts_at=datetime.time.fromisoformat(start)
        ).first()
        if session is None:
            continue
        number = first17 + identity.check_character(first17)
        if Booking.objects.filter(id_hmac=identity.digest(number), session__period=period).exists():
            continue
        user = ensure_user(
            mobile,
            display_name=f"示例家属（{name}）",
            real_name=name,
            real_name_verified_at=timezone.now(),
        )
        try:
            booking = services.book(user, session, id_number=number, grave=grave, visitors=visitors)
        except services.BookingRefused as refusal:
            out.write(f"  visits demo: booking skipped ({' '.join(refusal.messages)})")
            continue
        services.issue_pass(booking)
        made += 1
    out.write(
        f"  visits demo: festival period {period.starts_on:%Y-%m-%d}–{period.ends_on:%Y-%m-%d}, "
        f"{VisitSession.objects.filter(period=period).count()} peak sessions, {made} new bookings"
    )
