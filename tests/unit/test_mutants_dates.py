"""core/dates.py, the working-day calendar (S3, S4, S5): the cases mutation testing found no
test for (docs/testing.md, "Mutation score").

The calendar source here is a plain function over a dict, registered through the same
`register_calendar` the reports app uses, and put back afterwards. It records each lookup,
so the tests can hold `add_working_days` to its rule of one lookup per call and to the
window its comment documents (2n + 21 calendar days), and can drive the branch that
widens the window when a closure outlasts it."""

import datetime

import pytest

from core import dates

MONDAY = datetime.date(2030, 1, 7)


@pytest.fixture
def calendar():
    previous = dates.registered_calendar()
    special_days, lookups = {}, []

    def source(start, end):
        lookups.append((start, end))
        return {day: kind for day, kind in special_days.items() if start <= day <= end}

    dates.register_calendar(source)
    yield special_days, lookups
    dates.register_calendar(previous)


def test_s3_the_registered_calendar_decides_what_a_working_day_is(calendar):
    special_days, _lookups = calendar
    saturday, wednesday = MONDAY + datetime.timedelta(days=5), MONDAY + datetime.timedelta(days=2)
    special_days.update({saturday: dates.WORKDAY, wednesday: dates.HOLIDAY})
    assert dates.is_working_day(saturday)
    assert not dates.is_working_day(wednesday)
    assert dates.is_working_day(MONDAY)


def test_s3_zero_working_days_after_a_day_is_that_day():
    assert dates.add_working_days(MONDAY, 0) == MONDAY


def test_s3_a_negative_number_of_working_days_is_refused():
    with pytest.raises(ValueError, match="^n must not be negative$"):
        dates.add_working_days(MONDAY, -1)


def test_s3_add_working_days_looks_the_calendar_up_once_over_the_documented_window(calendar):
    _special_days, lookups = calendar
    assert dates.add_working_days(MONDAY, 5) == MONDAY + datetime.timedelta(days=7)
    assert lookups == [(MONDAY, MONDAY + datetime.timedelta(days=2 * 5 + 21))]


def test_s3_a_closure_longer_than_the_window_widens_it_from_the_next_day(calendar):
    special_days, lookups = calendar
    # Forty days off in a row: longer than any State Council holiday, longer than the
    # 2·3 + 21 = 27 days the first lookup covers.
    for offset in range(1, 41):
        special_days[MONDAY + datetime.timedelta(days=offset)] = dates.HOLIDAY
    # The closure ends on Saturday 16 February; the third working day after it is Wednesday.
    assert dates.add_working_days(MONDAY, 3) == datetime.date(2030, 2, 20)
    first_end = MONDAY + datetime.timedelta(days=27)
    second_start = first_end + datetime.timedelta(days=1)
    assert lookups == [
        (MONDAY, first_end),
        (second_start, second_start + datetime.timedelta(days=2 * 3 + 21)),
    ]
