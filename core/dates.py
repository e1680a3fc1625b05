"""Date arithmetic for the rules: calendar months and years (clamped to month ends) and
working days in mainland China (weekdays, minus public holidays, plus make-up working days
调休上班).

Pure functions, except for the holiday calendar, which is data the bureau edits. ``core``
doesn't know where that data lives: the app that owns it registers a *calendar source* in
its ``AppConfig.ready()`` (``orgs.reports`` registers its ``CalendarDay`` table)::

    from core.dates import register_calendar

    register_calendar(lambda start, end: {date: "holiday" | "workday", ...})

A source returns the special days between ``start`` and ``end`` inclusive; a day it doesn't
mention is a working day from Monday to Friday. With no source registered every weekday is
a working day. The API::

    add_months(date, n), add_years(date, n), add_days(date, n)
    add_working_days(date, n)      # the n-th working day after date
    working_days_between(a, b)     # working days in (a, b]
    is_working_day(d)
"""

import calendar
import datetime
from collections.abc import Callable

ONE_DAY = datetime.timedelta(days=1)
HOLIDAY = "holiday"
WORKDAY = "workday"

CalendarSource = Callable[[datetime.date, datetime.date], dict]

_calendar_source: CalendarSource | None = None


def register_calendar(source: CalendarSource) -> None:
    """Set where the special days come from; the last registration wins (one calendar)."""
    global _calendar_source
    _calendar_source = source


def registered_calendar() -> CalendarSource | None:
    return _calendar_source


# --- Calendar months and years ---------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months later (earlier if negative), clamped to the month's end."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` years later (29 February becomes 28 February)."""
    return add_months(day, 12 * years)


def add_days(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


# --- Working days -----------------------------------------------------------------------------


def _special_days(start, end):
    return dict(_calendar_source(start, end)) if _calendar_source is not None else {}


def _is_working(day, special_days):
    kind = special_days.get(day)
    if kind == WORKDAY:
        return True
    if kind == HOLIDAY:
        return False
    return day.weekday() < 5


def is_working_day(day: datetime.date) -> bool:
    return _is_working(day, _special_days(day, day))


def add_working_days(start: datetime.date, n: int, special_days: dict | None = None) -> datetime.date:
    """The date ``n`` working days after ``start`` (``start`` itself does not count).
    ``n == 0`` returns ``start``. One calendar lookup per call, as a rule; none when
    ``special_days`` (from :func:`special_days`, covering the span) is given."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return start
    if special_days is not None:
        day, remaining = start, n
        while remaining:
            day += ONE_DAY
            if _is_working(day, special_days):
                remaining -= 1
        return day
    # Long holidays are at most 9 days; 2n + 21 calendar days always suffice.
    horizon = start + datetime.timedelta(days=2 * n + 21)
    special_days = _special_days(start, horizon)
    day, remaining = start, n
    while remaining:
        day += ONE_DAY
        if day > horizon:
            horizon = day + datetime.timedelta(days=2 * remaining + 21)
            special_days.update(_special_days(day, horizon))
        if _is_working(day, special_days):
            remaining -= 1
    return day


def special_days(start: datetime.date, end: datetime.date) -> dict:
    """The calendar's special days from ``start`` to ``end``, in one lookup: pass the result to
    :func:`working_days_between` to count many spans without asking the calendar again."""
    return _special_days(start, end)


def working_days_between(start: datetime.date, end: datetime.date, special_days: dict | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start).
    ``special_days`` (from :func:`special_days`, covering the span) saves the lookup."""
    if end < start:
        return -working_days_between(end, start, special_days)
    if special_days is None:
        special_days = _special_days(start, end)
    day, total = start, 0
    while day < end:
        day += ONE_DAY
        if _is_working(day, special_days):
            total += 1
    return total


def day_range(params, first, last, max_days):
    """The ``from``..``to`` days of a report's query string (``params``: ``request.GET``),
    ``first``..``last`` when missing or malformed, in order, at most ``max_days`` long."""
    try:
        first = datetime.date.fromisoformat(params.get("from") or first.isoformat())
        last = datetime.date.fromisoformat(params.get("to") or last.isoformat())
    except ValueError:
        pass
    if last < first:
        first, last = last, first
    return first, min(last, first + datetime.timedelta(days=max_days - 1))
