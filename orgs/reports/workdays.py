"""Working days in mainland China: weekdays, minus public holidays, plus make-up
working days (调休上班), from the ``CalendarDay`` table the bureau edits.

The API is deliberately small; S3 uses it now and the credit rules later::

    add_working_days(date, n)      # the n-th working day after date
    working_days_between(a, b)     # working days in (a, b]
    is_working_day(d)
"""

import datetime

ONE_DAY = datetime.timedelta(days=1)


def _calendar(start, end):
    from .models import CalendarDay

    rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
    return dict(rows)


def _is_working(day, calendar):
    kind = calendar.get(day)
    if kind == "workday":
        return True
    if kind == "holiday":
        return False
    return day.weekday() < 5


def is_working_day(day):
    return _is_working(day, _calendar(day, day))


def add_working_days(start, n):
    """The date ``n`` working days after ``start`` (``start`` itself does not count).
    ``n == 0`` returns ``start``. One query per call."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return start
    # Long holidays are at most 9 days; 2n + 21 calendar days always suffice.
    horizon = start + datetime.timedelta(days=2 * n + 21)
    calendar = _calendar(start, horizon)
    day, remaining = start, n
    while remaining:
        day += ONE_DAY
        if day > horizon:
            horizon = day + datetime.timedelta(days=2 * remaining + 21)
            calendar.update(_calendar(day, horizon))
        if _is_working(day, calendar):
            remaining -= 1
    return day


def working_days_between(start, end):
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    if end < start:
        return -working_days_between(end, start)
    calendar = _calendar(start, end)
    day, total = start, 0
    while day < end:
        day += ONE_DAY
        if _is_working(day, calendar):
            total += 1
    return total
