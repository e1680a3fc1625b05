"""Booked cemetery visits: the rule M3 in code.

| function | what | settings |
|---|---|---|
| ``session_capacity`` | a session's capacity: normal, or the festival period's share of it, rounded down | ``M3_PEAK_SHARE_OUTDOOR``, ``M3_PEAK_SHARE_INDOOR`` |
| ``create_sessions`` | bulk creation by a cemetery or columbarium: every day × every time window | ``M3_DEFAULT_VISITORS_PER_BOOKING``, ``M3_BULK_MAX_DAYS`` |
| ``check_window`` | booking opens N days ahead and closes for a day at the cut-off of the day before | ``M3_BOOKING_OPENS_DAYS_AHEAD``, ``M3_NEXT_DAY_CUTOFF`` |
| ``book`` | a real-name booking: places, grave cap per day and per-ID limit per period, each taken by a conditional UPDATE in one transaction | ``M3_GRAVE_VISITORS_PER_DAY``, ``M3_BOOKINGS_PER_ID_PER_PERIOD`` |
| ``issue_pass`` / ``pass_state`` | the sealed QR pass and what ``/verify/<code>/`` says of it (valid, used, cancelled) | |
| ``cancel`` | the family cancels before the session starts; places and limits are given back | |
| ``mark_arrival`` | the gate marks the pass used (on the session's day, at its own cemetery only) | |
| ``record_no_shows`` | bookings of ended sessions nobody used become no-shows | |

Every refusal is a ``BookingRefused`` (a ``ValidationError``) whose message names the limit.
"""

import datetime
import re
import unicodedata
from decimal import ROUND_FLOOR, Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from core import pdf as platform_pdf
from core.models import VerifiableDocument
from core.statemachine import transition
from core.verification import CODE_ALPHABET, DocumentState, issue_document, mask_name, normalise_code, revoke
from marketplace.orders import identity

from .models import (
    ACTIVE_STATUSES,
    VISIT_PROVIDER_TYPES,
    Booking,
    BookingStatus,
    FestivalPeriod,
    GraveDayLoad,
    IdPeriodLoad,
    VisitSession,
)

ACTION_BOOKED = "memorial_visits.booked"
ACTION_PASS = "memorial_visits.pass"  # noqa: S105 - an audit action name


class BookingRefused(ValidationError):
    """A booking, a cancellation or an arrival that the rule refuses, with a message naming why."""


# --- Capacity in festival periods -----------------------------------------------------------


def period_for(day):
    """The festival period ``day`` falls in, if any."""
    return FestivalPeriod.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("starts_on").first()


def session_capacity(normal_capacity, area, period):
    """M3: in a festival period, the share of normal capacity (rounded down); else the normal."""
    if period is None:
        return normal_capacity
    share = Decimal(period.share(area))
    return int((Decimal(normal_capacity) * share).to_integral_value(rounding=ROUND_FLOOR))


def refresh_period_capacities(period):
    """After the bureau defines or changes a period: its days' sessions take its shares. A
    capacity never drops below the places already booked (those bookings stand)."""
    with transaction.atomic():
        VisitSession.objects.filter(period=period).exclude(
            date__range=(period.starts_on, period.ends_on)
        ).update(period=None)
        sessions = VisitSession.objects.select_for_update().filter(
            date__range=(period.starts_on, period.ends_on)
        )
        for session in sessions:
            capacity = max(session_capacity(session.normal_capacity, session.area, period), session.booked)
            VisitSession.objects.filter(pk=session.pk).update(period=period, capacity=capacity)
        for session in VisitSession.objects.select_for_update().filter(
            period__isnull=True, capacity__lt=F("normal_capacity")
        ):
            VisitSession.objects.filter(pk=session.pk).update(capacity=session.normal_capacity)
        _recount_period(period)


def _recount_period(period):
    """The bookings that count against ``period``'s per-ID limit are those of its sessions now
    (a booking made before the bureau defined the period counts too); its counters are rebuilt
    from them."""
    from django.db.models import Count

    Booking.objects.filter(period=period).exclude(session__period=period).update(period=None)
    Booking.objects.filter(session__period=period).exclude(period=period).update(period=period)
    IdPeriodLoad.objects.filter(period=period).delete()
    IdPeriodLoad.objects.bulk_create(
        IdPeriodLoad(period=period, id_hmac=row["id_hmac"], bookings=row["n"])
        for row in Booking.objects.filter(period=period, status__in=ACTIVE_STATUSES)
        .values("id_hmac")
        .annotate(n=Count("pk"))
        .order_by()
    )


# --- Sessions -----------------------------------------------------------------------------

WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—~～至到]\s*(\d{1,2}):(\d{2})\s*$")


def parse_windows(text):
    """Time windows, one per line, as ``08:00-10:00``; returns [(start, end)] in order."""
    windows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = unicodedata.normalize("NFKC", line).strip()
        if not line:
            continue
        match = WINDOW.match(line)
        try:
            if match is None:
                raise ValueError
            start = datetime.time(int(match[1]), int(match[2]))
            end = datetime.time(int(match[3]), int(match[4]))
        except ValueError:
            raise BookingRefused(
                _("第 %(n)s 行“%(line)s”不是时段，请写成 08:00-10:00 的样子。") % {"n": number, "line": line}
            ) from None
        if end <= start:
            raise BookingRefused(_("第 %(n)s 行的结束时间须晚于开始时间。") % {"n": number})
        windows.append((start, end))
    if not windows:
        raise BookingRefused(_("请至少填写一个时段。"))
    windows.sort()
    for (start, end), (next_start, _next_end) in zip(windows, windows[1:], strict=False):
        if next_start < end:
            raise BookingRefused(
                _("时段 %(a)s 与 %(b)s 重叠。")
                % {"a": f"{start:%H:%M}-{end:%H:%M}", "b": f"{next_start:%H:%M}"}
            )
    return windows


def create_sessions(
    provider,
    *,
    first_day,
    last_day,
    windows,
    area,
    normal_capacity,
    max_visitors_per_booking=None,
    user=None,
    today=None,
):
    """Every day from ``first_day`` to ``last_day`` × every window. A window that already has a
    session that day is left as it is. Returns (created, skipped)."""
    today = today or timezone.localdate()
    if provider.type not in VISIT_PROVIDER_TYPES:
        raise BookingRefused(_("只有公墓和骨灰堂可以发布祭扫场次。"))
    if first_day < today:
        raise BookingRefused(_("不能为已经过去的日期发布场次。"))
    if last_day < first_day:
        raise BookingRefused(_("结束日期不能早于开始日期。"))
    days = (last_day - first_day).days + 1
    if days > settings.M3_BULK_MAX_DAYS:
        raise BookingRefused(
            _("一次最多发布 %(max)s 天的场次，您选择了 %(days)s 天。")
            % {"max": settings.M3_BULK_MAX_DAYS, "days": days}
        )
    if normal_capacity < 1:
        raise BookingRefused(_("平时容量至少为 1 人。"))
    per_booking = max_visitors_per_booking or settings.M3_DEFAULT_VISITORS_PER_BOOKING
    if per_booking < 1:
        raise BookingRefused(_("每个预约至少允许 1 人。"))
    created, skipped = [], 0
    with transaction.atomic():
        existing = set(
            VisitSession.objects.filter(
                provider=provider, area=area, date__range=(first_day, last_day)
            ).values_list("date", "starts_at")
        )
        periods = list(FestivalPeriod.objects.filter(starts_on__lte=last_day, ends_on__gte=first_day))
        for offset in range(days):
            day = first_day + datetime.timedelta(days=offset)
            period = next((p for p in periods if p.starts_on <= day <= p.ends_on), None)
            for start, end in windows:
                if (day, start) in existing:
                    skipped += 1
                    continue
                created.append(
                    VisitSession(
                        provider=provider,
                        date=day,
                        starts_at=start,
                        ends_at=end,
                        area=area,
                        normal_capacity=normal_capacity,
                        capacity=session_capacity(normal_capacity, area, period),
                        max_visitors_per_booking=per_booking,
                        period=period,
                        created_by=user if user is not None and user.is_authenticated else None,
                    )
                )
        VisitSession.objects.bulk_create(created)
    return created, skipped


# --- When a session can be booked ---------------------------------------------------------


def cutoff_time():
    hours, _sep, minutes = settings.M3_NEXT_DAY_CUTOFF.partition(":")
    return datetime.time(int(hours), int(minutes or 0))


def closes_at(day):
    """Booking for ``day`` closes at the cut-off (Asia/Shanghai) on the day before."""
    return timezone.make_aware(datetime.datetime.combine(day - datetime.timedelta(days=1), cutoff_time()))


def opens_on(day):
    return day - datetime.timedelta(days=settings.M3_BOOKING_OPENS_DAYS_AHEAD)


def bookable_days(now=None):
    """(first, last): the days whose sessions can be booked at ``now``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today + datetime.timedelta(days=1)
    if now >= closes_at(first):
        first += datetime.timedelta(days=1)
    return first, today + datetime.timedelta(days=settings.M3_BOOKING_OPENS_DAYS_AHEAD)


def check_window(session, now=None):
    now = now or timezone.now()
    if timezone.localdate(now) < opens_on(session.date):
        raise BookingRefused(
            _("%(date)s 的场次将于 %(opens)s 开放预约（可提前 %(days)s 天预约）。")
            % {
                "date": session.date.isoformat(),
                "opens": opens_on(session.date).isoformat(),
                "days": settings.M3_BOOKING_OPENS_DAYS_AHEAD,
            }
        )
    deadline = closes_at(session.date)
    if now >= deadline:
        raise BookingRefused(
            _("%(date)s 的场次已于 %(deadline)s 截止预约（每天 %(time)s 截止次日的预约）。")
            % {
                "date": session.date.isoformat(),
                "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
                "time": settings.M3_NEXT_DAY_CUTOFF,
            }
        )


def open_sessions(now=None):
    """Sessions of published cemeteries that can be booked now and have places left."""
    first, last = bookable_days(now)
    return VisitSession.objects.filter(
        provider__is_published=True,
        provider__type__in=VISIT_PROVIDER_TYPES,
        date__range=(first, last),
        booked__lt=F("capacity"),
    )


# --- Booking ------------------------------------------------------------------------------


def normalise_grave(text):
    """(shown, key): full-width forms folded, spaces collapsed; the key also drops spaces and
    case, so 'A区 3排12号' and 'a区3排 12号' are one grave."""
    shown = " ".join(unicodedata.normalize("NFKC", text or "").split())
    key = "".join(shown.split()).upper()
    return shown, key


def check_can_book(user):
    if user is None or not user.is_authenticated:
        raise BookingRefused(_("请先登录再预约。"))
    if not user.is_real_name_verified or not user.real_name:
        raise BookingRefused(_("预约祭扫须实名：请先完成实名认证，再预约。"))


def book(user, session, *, id_number, grave, visitors, now=None):
    """Book ``visitors`` places of ``session`` for a grave or niche, under the visitor's ID.

    The three limits are three conditional UPDATEs in one transaction, in a fixed order
    (session, grave, ID), so concurrent bookings never exceed any of them and never deadlock:
    on PostgreSQL the second writer of a row waits for the first and re-checks the condition;
    on SQLite the transaction is IMMEDIATE (one writer at a time)."""
    now = now or timezone.now()
    check_can_book(user)
    number = identity.validate_resident_id(id_number)
    shown, key = normalise_grave(grave)
    if not key:
        raise BookingRefused(_("请填写墓位或格位号。"))
    if len(shown) > Booking._meta.get_field("grave").max_length:
        raise BookingRefused(_("墓位或格位号太长。"))
    check_window(session, now)
    if visitors < 1:
        raise BookingRefused(_("祭扫人数至少为 1 人。"))
    if visitors > session.max_visitors_per_booking:
        raise BookingRefused(
            _("本场次每个预约最多 %(max)s 人，您填写了 %(n)s 人。")
            % {"max": session.max_visitors_per_booking, "n": visitors}
        )
    digest = identity.digest(number)
    if (
        Booking.objects.filter(session=session, id_hmac=digest)
        .exclude(status=BookingStatus.CANCELLED)
        .exists()
    ):
        raise BookingRefused(_("该身份证号已预约本场次，无需重复预约。"))
    with transaction.atomic():
        _take_places(session, visitors)
        # Read under the session's row lock: the bureau may have just put its day in a period.
        period = FestivalPeriod.objects.filter(sessions=session.pk).first()
        _take_grave(session, shown, key, visitors)
        if period is not None:
            _take_id_quota(period, digest)
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    session=session,
                    user=user,
                    visitor_name=user.real_name,
                    id_hmac=digest,
                    id_masked=identity.mask(number),
                    grave=shown,
                    grave_key=key,
                    visitors=visitors,
                    period=period,
                )
        except IntegrityError:
            raise BookingRefused(_("该身份证号已预约本场次，无需重复预约。")) from None
        log(booking, ACTION_BOOKED, user=user, data={"session": session.pk, "visitors": visitors})
    session.refresh_from_db(fields=["booked"])
    return booking


def _take_places(session, visitors):
    taken = VisitSession.objects.filter(pk=session.pk, booked__lte=F("capacity") - visitors).update(
        booked=F("booked") + visitors
    )
    if not taken:
        current = VisitSession.objects.get(pk=session.pk)
        if current.places_left == 0:
            raise BookingRefused(
                _("该场次（容量 %(capacity)s 人）已约满，请选择其他场次。") % {"capacity": current.capacity}
            )
        raise BookingRefused(
            _("该场次（容量 %(capacity)s 人）只剩 %(left)s 个名额，无法预约 %(n)s 人。")
            % {"capacity": current.capacity, "left": current.places_left, "n": visitors}
        )


def _take_grave(session, shown, key, visitors):
    cap = settings.M3_GRAVE_VISITORS_PER_DAY
    rows = GraveDayLoad.objects.filter(provider_id=session.provider_id, date=session.date, grave_key=key)
    GraveDayLoad.objects.bulk_create(
        [GraveDayLoad(provider_id=session.provider_id, date=session.date, grave_key=key)],
        ignore_conflicts=True,
    )
    if not rows.filter(visitors__lte=cap - visitors).update(visitors=F("visitors") + visitors):
        already = rows.values_list("visitors", flat=True).first() or 0
        raise BookingRefused(
            _("墓位“%(grave)s”%(date)s 已预约 %(already)s 人，每个墓位每天最多 %(cap)s 人祭扫。")
            % {"grave": shown, "date": session.date.isoformat(), "already": already, "cap": cap}
        )


def _take_id_quota(period, digest):
    limit = period.id_limit
    rows = IdPeriodLoad.objects.filter(period=period, id_hmac=digest)
    IdPeriodLoad.objects.bulk_create([IdPeriodLoad(period=period, id_hmac=digest)], ignore_conflicts=True)
    if not rows.filter(bookings__lte=limit - 1).update(bookings=F("bookings") + 1):
        raise BookingRefused(
            _("该身份证号在“%(period)s”期间已有 %(count)s 个有效预约，每个身份证号最多预约 %(limit)s 次。")
            % {
                "period": period.name,
                "count": rows.values_list("bookings", flat=True).first(),
                "limit": limit,
            }
        )


def _give_back(booking):
    session = booking.session
    VisitSession.objects.filter(pk=session.pk).update(booked=F("booked") - booking.visitors)
    GraveDayLoad.objects.filter(
        provider_id=session.provider_id, date=session.date, grave_key=booking.grave_key
    ).update(visitors=F("visitors") - booking.visitors)
    if booking.period_id:
        IdPeriodLoad.objects.filter(period_id=booking.period_id, id_hmac=booking.id_hmac).update(
            bookings=F("bookings") - 1
        )


def session_starts(session):
    return timezone.make_aware(datetime.datetime.combine(session.date, session.starts_at))


def session_ends(session):
    return timezone.make_aware(datetime.datetime.combine(session.date, session.ends_at))


def _locked(booking):
    return Booking.objects.select_for_update().select_related("session__provider").get(pk=booking.pk)


def cancel(booking, user, *, now=None, reason=""):
    """The family cancels before the session starts: the places, the grave's visitors and the
    ID's booking are given back, and the pass reads 已取消 at the gate."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        if booking.status != BookingStatus.BOOKED:
            raise BookingRefused(
                _("该预约的状态是“%(status)s”，不能取消。") % {"status": booking.get_status_display()}
            )
        if now >= session_starts(booking.session):
            raise BookingRefused(_("场次已经开始，不能再取消。"))
        _give_back(booking)
        booking.cancelled_at = now
        transition(
            booking,
            BookingStatus.CANCELLED,
            user=user,
            reason=reason or _("家属取消预约"),
            save_fields=["cancelled_at"],
        )
        if booking.pass_document_id:
            revoke(booking.pass_document, _("预约已取消"))
    return booking


PASS_CODE = re.compile(
    rf"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}"
)


def find_pass(provider, text):
    """The booking at ``provider`` whose pass code (typed, or the scanned verification URL) or
    booking reference is ``text``. Another cemetery's pass is not found."""
    text = (text or "").strip()
    bookings = Booking.objects.filter(session__provider=provider).select_related("session", "pass_document")
    reference = text.upper().replace(" ", "")
    if reference.startswith("YY"):
        found = bookings.filter(reference=reference).first()
        if found is not None:
            return found
    candidate = text.rstrip("/").rsplit("/", 1)[-1]
    code = normalise_code(candidate)
    match = PASS_CODE.fullmatch(code)
    found = bookings.filter(pass_document__code=match[0]).first() if match else None
    if found is None:
        raise BookingRefused(_("未找到本机构的预约凭证“%(code)s”，请核对后重新输入。") % {"code": text[:40]})
    return found


def mark_arrival(provider, text, user, *, now=None):
    """The gate marks a pass used: at its own cemetery, on the session's day, once."""
    now = now or timezone.now()
    booking = find_pass(provider, text)
    with transaction.atomic():
        booking = _locked(booking)
        session = booking.session
        if booking.status == BookingStatus.USED:
            raise BookingRefused(
                _("该凭证已于 %(time)s 入园使用。")
                % {"time": timezone.localtime(booking.arrived_at).strftime("%Y-%m-%d %H:%M")}
            )
        if booking.status != BookingStatus.BOOKED:
            raise BookingRefused(_("该预约%(status)s，不能入园。") % {"status": booking.get_status_display()})
        if timezone.localdate(now) != session.date:
            raise BookingRefused(
                _("该预约是 %(date)s %(window)s 的场次，今天不能入园。")
                % {"date": session.date.isoformat(), "window": session.window}
            )
        booking.arrived_at = now
        transition(booking, BookingStatus.USED, user=user, reason=_("入园核验"), save_fields=["arrived_at"])
    return booking


def record_no_shows(*, now=None, provider=None, user=None):
    """Bookings of sessions that have ended and were never used become no-shows. Returns how many."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    ended = Booking.objects.filter(status=BookingStatus.BOOKED, session__date__lt=local.date())
    ended_today = Booking.objects.filter(
        status=BookingStatus.BOOKED, session__date=local.date(), session__ends_at__lte=local.time()
    )
    if provider is not None:
        ended = ended.filter(session__provider=provider)
        ended_today = ended_today.filter(session__provider=provider)
    count = 0
    for booking in (ended | ended_today).order_by("pk"):
        with transaction.atomic():
            booking = _locked(booking)
            if booking.status == BookingStatus.BOOKED and now >= session_ends(booking.session):
                transition(booking, BookingStatus.NO_SHOW, user=user, reason=_("场次结束未入园"))
                count += 1
    return count


# --- The pass -----------------------------------------------------------------------------


def _pass_pdf(booking, code, url):
    session = booking.session
    provider = session.provider
    rows = [
        (_("预约编号"), booking.reference),
        (_("祭扫地点"), f"{provider.name}（{provider.address}）"),
        (_("日期与时段"), f"{session.date.isoformat()} {session.window}"),
        (_("场所"), session.get_area_display()),
        (_("墓位或格位"), booking.grave),
        (_("祭扫人数"), str(booking.visitors)),
        (_("预约人"), mask_name(booking.visitor_name)),
        (_("身份证号"), booking.id_masked),
    ]
    return platform_pdf.receipt(
        title=_("预约祭扫凭证"),
        rows=[(escape(str(label)), escape(str(value))) for label, value in rows],
        code=code,
        url=url,
        notes=[
            escape(_("请在预约时段内凭本凭证二维码和本人身份证入园；每个凭证只能使用一次。")),
            escape(_("如不能前往，请在场次开始前取消，名额将释放给其他家属。")),
        ],
        document_title=f"{_('预约祭扫凭证')} {booking.reference}",
    )


def issue_pass(booking, *, base_url=""):
    """The sealed PDF pass with its QR code (once per booking; a cancelled booking gets none)."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("session__provider").get(pk=booking.pk)
        if booking.pass_document_id or booking.status != BookingStatus.BOOKED:
            return booking.pass_document
        render = platform_pdf.in_platform_language(lambda code, url: _pass_pdf(booking, code, url))
        # The pass and its QR link are in the platform's language, whatever the page's.
        with translation.override(settings.LANGUAGE_CODE):
            document = issue_document(
                source=booking,
                kind=VerifiableDocument.Kind.VISIT_PASS,
                title=f"预约祭扫凭证 {booking.reference}",
                issuer_name=booking.session.provider.name,
                holder_name=booking.visitor_name,
                render=render,
                reason="预约祭扫凭证",
                base_url=base_url or settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
            )
        booking.pass_document = document
        booking.save(update_fields=["pass_document"])
        log(booking, ACTION_PASS, data={"code": document.code})
    return document


def pass_state(document):
    """What the gate reads on ``/verify/<code>/`` for a pass: valid, used, cancelled or no-show."""
    booking = Booking.objects.filter(pass_document=document).select_related("session__provider").first()
    if booking is None:
        return None
    session = booking.session
    where = _("%(place)s %(date)s %(window)s，%(n)s 人") % {
        "place": session.provider.name,
        "date": session.date.isoformat(),
        "window": session.window,
        "n": booking.visitors,
    }
    if booking.status == BookingStatus.USED:
        return DocumentState(
            _("已使用"),
            ok=False,
            note=_("已于 %(time)s 入园。")
            % {"time": timezone.localtime(booking.arrived_at).strftime("%Y-%m-%d %H:%M")}
            + where,
        )
    if booking.status == BookingStatus.CANCELLED:
        return DocumentState(_("已取消"), ok=False, note=where)
    if booking.status == BookingStatus.NO_SHOW or timezone.now() >= session_ends(session):
        return DocumentState(_("已过期（场次已结束，未入园）"), ok=False, note=where)
    return DocumentState(_("有效，未使用"), ok=True, note=where)
