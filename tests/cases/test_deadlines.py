"""Working-day arithmetic on the official calendar. Pure: no database, no app."""

from datetime import UTC, date, datetime

import pytest

from portal.cases.deadlines import (
    WEEKENDS_ONLY,
    Light,
    WorkCalendar,
    add_working_days,
    due_date,
    local_date,
    traffic_light,
    working_days_between,
    working_days_elapsed,
)

# The 2026 Spring Festival per the State Council schedule (as the package records it): off from
# Sunday 15 to Monday 23 February, with Saturdays 14 and 28 February worked instead.
FRI_FEB_13 = date(2026, 2, 13)
SAT_FEB_14 = date(2026, 2, 14)
SAT_FEB_28 = date(2026, 2, 28)


def test_the_package_knows_the_2026_spring_festival(calendar):
    assert calendar.is_loaded(2026)
    assert not calendar.is_working_day(date(2026, 2, 16))  # a Monday off
    assert not calendar.is_working_day(date(2026, 2, 23))  # the last day off, a Monday
    assert calendar.is_working_day(SAT_FEB_14)
    assert calendar.is_working_day(SAT_FEB_28)
    assert not calendar.is_working_day(date(2026, 2, 21))  # an ordinary Saturday inside the break


def test_the_day_of_arrival_is_not_counted(calendar):
    monday = date(2026, 3, 2)
    assert add_working_days(monday, 1, calendar) == date(2026, 3, 3)
    assert add_working_days(monday, 0, calendar) == monday
    friday = date(2026, 3, 6)
    assert add_working_days(friday, 1, calendar) == date(2026, 3, 9)  # over the weekend


def test_a_friday_before_the_break_is_due_on_the_adjusted_working_saturday(calendar):
    assert add_working_days(FRI_FEB_13, 1, calendar) == SAT_FEB_14


def test_counting_across_the_spring_festival(calendar):
    # Sat 14 (worked), then nothing until Tue 24: 24, 25, 26, 27.
    assert add_working_days(FRI_FEB_13, 5, calendar) == date(2026, 2, 27)
    assert add_working_days(SAT_FEB_14, 1, calendar) == date(2026, 2, 24)
    # The second adjusted Saturday counts too, so six working days end on it.
    assert add_working_days(FRI_FEB_13, 6, calendar) == SAT_FEB_28
    assert add_working_days(FRI_FEB_13, 7, calendar) == date(2026, 3, 2)
    # Counting weekends only would be a week early.
    assert add_working_days(FRI_FEB_13, 5, WEEKENDS_ONLY) == date(2026, 2, 20)


def test_fifteen_working_days_over_the_break(calendar):
    due = due_date(date(2026, 2, 10), 15, calendar)
    # 11, 12, 13, 14(Sat), 24, 25, 26, 27, 28(Sat), Mar 2, 3, 4, 5, 6, 9
    assert due.date == date(2026, 3, 9)
    assert not due.estimated


def test_national_day_week(calendar):
    # Off 1-7 October 2026; Saturday 10 October is worked.
    assert add_working_days(date(2026, 9, 30), 1, calendar) == date(2026, 10, 8)
    assert add_working_days(date(2026, 10, 9), 1, calendar) == date(2026, 10, 10)


def test_a_year_the_calendar_does_not_know_counts_weekends_only_and_says_so(calendar):
    assert not calendar.is_loaded(2027)
    # Filed Monday 28 December 2026: five working days reach into 2027.
    due = due_date(date(2026, 12, 28), 5, calendar)
    # 29, 30, 31 Dec, then Fri 1 Jan 2027 counted as a working day (not known to be a holiday), Mon 4.
    assert due.date == date(2027, 1, 4)
    assert due.estimated
    assert due.unloaded_years == (2027,)
    assert calendar.unloaded_years(date(2027, 3, 1), date(2028, 2, 1)) == (2027, 2028)


def test_loading_the_next_year_moves_an_estimated_due_date(calendar):
    new_year_2027 = WorkCalendar.from_days(
        {**dict.fromkeys(calendar.holidays, ""), date(2027, 1, 1): "New Year's Day"},
        set(calendar.workdays),
        calendar.loaded_years | {2027},
    )
    due = due_date(date(2026, 12, 28), 5, new_year_2027)
    assert due.date == date(2027, 1, 5)
    assert not due.estimated


def test_a_due_date_within_a_loaded_year_is_not_estimated(calendar):
    assert not due_date(date(2026, 3, 2), 15, calendar).estimated


def test_due_date_takes_the_district_date_of_a_moment(calendar):
    # 16:30 UTC on Sunday 1 March is 00:30 on Monday 2 March in the district.
    late = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    assert local_date(late) == date(2026, 3, 2)
    assert due_date(late, 1, calendar).date == date(2026, 3, 3)
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2026, 3, 1, 16, 30))


def test_negative_working_days_are_refused(calendar):
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 2), -1, calendar)


def test_working_days_between_and_elapsed(calendar):
    assert working_days_between(FRI_FEB_13, date(2026, 2, 24), calendar) == 2  # Sat 14, Tue 24
    assert working_days_between(date(2026, 2, 24), FRI_FEB_13, calendar) == -2
    assert working_days_between(FRI_FEB_13, FRI_FEB_13, calendar) == 0
    submitted = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)
    assert working_days_elapsed(submitted, datetime(2026, 2, 25, 2, 0, tzinfo=UTC), calendar) == 4
    assert working_days_elapsed(submitted, submitted, calendar) == 0


@pytest.mark.parametrize(
    ("today", "light"),
    [
        (date(2026, 3, 2), Light.GREEN),  # 4 working days left
        (date(2026, 3, 4), Light.AMBER),  # 2 left
        (date(2026, 3, 5), Light.AMBER),  # 1 left
        (date(2026, 3, 6), Light.RED),  # due today
        (date(2026, 3, 7), Light.OVERDUE),  # a Saturday after the due date
        (date(2026, 3, 9), Light.OVERDUE),
    ],
)
def test_traffic_light(calendar, today, light):
    assert traffic_light(date(2026, 3, 6), today, calendar) == light


def test_traffic_light_counts_working_days_not_calendar_days(calendar):
    # Due Tuesday 24 February; on Friday 13 only Sat 14 and Tue 24 remain: amber, not green.
    assert traffic_light(date(2026, 2, 24), FRI_FEB_13, calendar) == Light.AMBER
    assert traffic_light(date(2026, 2, 24), FRI_FEB_13, calendar, amber_within=1) == Light.GREEN
