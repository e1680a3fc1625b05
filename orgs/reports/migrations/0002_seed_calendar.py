"""Seed the working-day calendar with the State Council holiday schedules.

2025: 国办发明电〔2024〕12号. 2026: 国办发明电〔2025〕7号.
2027: not yet published when this was written; the statutory holiday dates
(元旦, 春节 除夕–初三, 清明, 劳动节, 端午, 中秋, 国庆) are entered as *provisional*
with no make-up working days. The bureau replaces them in the admin once the
State Council publishes the 2027 schedule.
"""

import datetime

from django.db import migrations


def span(start, end):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


D = datetime.date
HOLIDAYS = [
    # 2025
    ("元旦", D(2025, 1, 1), D(2025, 1, 1), False),
    ("春节", D(2025, 1, 28), D(2025, 2, 4), False),
    ("清明节", D(2025, 4, 4), D(2025, 4, 6), False),
    ("劳动节", D(2025, 5, 1), D(2025, 5, 5), False),
    ("端午节", D(2025, 5, 31), D(2025, 6, 2), False),
    ("国庆节、中秋节", D(2025, 10, 1), D(2025, 10, 8), False),
    # 2026
    ("元旦", D(2026, 1, 1), D(2026, 1, 3), False),
    ("春节", D(2026, 2, 15), D(2026, 2, 23), False),
    ("清明节", D(2026, 4, 4), D(2026, 4, 6), False),
    ("劳动节", D(2026, 5, 1), D(2026, 5, 5), False),
    ("端午节", D(2026, 6, 19), D(2026, 6, 21), False),
    ("中秋节", D(2026, 9, 25), D(2026, 9, 27), False),
    ("国庆节", D(2026, 10, 1), D(2026, 10, 7), False),
    # 2027 (provisional: statutory days only)
    ("元旦", D(2027, 1, 1), D(2027, 1, 1), True),
    ("春节", D(2027, 2, 5), D(2027, 2, 8), True),
    ("清明节", D(2027, 4, 5), D(2027, 4, 5), True),
    ("劳动节", D(2027, 5, 1), D(2027, 5, 2), True),
    ("端午节", D(2027, 6, 9), D(2027, 6, 9), True),
    ("中秋节", D(2027, 9, 15), D(2027, 9, 15), True),
    ("国庆节", D(2027, 10, 1), D(2027, 10, 3), True),
]
MAKEUP_WORKDAYS = [
    ("春节调休", D(2025, 1, 26)),
    ("春节调休", D(2025, 2, 8)),
    ("劳动节调休", D(2025, 4, 27)),
    ("国庆节、中秋节调休", D(2025, 9, 28)),
    ("国庆节、中秋节调休", D(2025, 10, 11)),
    ("元旦调休", D(2026, 1, 4)),
    ("春节调休", D(2026, 2, 14)),
    ("春节调休", D(2026, 2, 28)),
    ("劳动节调休", D(2026, 5, 9)),
    ("国庆节调休", D(2026, 9, 20)),
    ("国庆节调休", D(2026, 10, 10)),
]


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("reports", "CalendarDay")
    for name, start, end, provisional in HOLIDAYS:
        for day in span(start, end):
            CalendarDay.objects.update_or_create(
                date=day, defaults={"kind": "holiday", "name": name, "provisional": provisional}
            )
    for name, day in MAKEUP_WORKDAYS:
        CalendarDay.objects.update_or_create(date=day, defaults={"kind": "workday", "name": name, "provisional": False})


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("reports", "CalendarDay")
    dates = [day for _n, start, end, _p in HOLIDAYS for day in span(start, end)] + [d for _n, d in MAKEUP_WORKDAYS]
    CalendarDay.objects.filter(date__in=dates).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
