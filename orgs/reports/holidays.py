"""The holiday calendar behind ``core.dates``' working-day arithmetic (S3, S4, S5): the
public holidays and make-up working days (调休上班) of the ``CalendarDay`` table the bureau
edits. Registered with ``core.dates.register_calendar`` in ``ReportsConfig.ready()``."""


def calendar_days(start, end):
    """``{date: "holiday" | "workday"}`` for the special days from ``start`` to ``end`` inclusive."""
    from .models import CalendarDay

    return dict(CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind"))
