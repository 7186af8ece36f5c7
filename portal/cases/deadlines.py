"""Deadlines in Chinese working days. Pure calculation: the calendar is handed in, no database.

A working day is Monday to Friday unless the calendar lists it as a holiday, plus any weekend day
the calendar lists as an adjusted working day (调休上班). For a year the calendar has not loaded,
only weekends are skipped; every result says which such years it relied on, so the desk can warn
until an administrator loads the year.

Counting follows the usual rule for administrative time limits: the day a case arrives is not
counted, so "within 1 working day" of a Friday submission means by the end of Monday.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

# China keeps one time zone and no daylight saving, so a fixed offset is exact (and needs no tzdata).
DISTRICT_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
# The dates anything in the portal may carry. Far wider than any real case or policy, yet far enough
# inside date.min/date.max that a period's closing midnight, a time-zone shift or a 90-day window
# cannot leave what `datetime` can represent.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)

ONE_DAY = timedelta(days=1)


def local_date(moment: datetime | date) -> date:
    """The calendar date in the district of an aware datetime (dates pass through)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("naive datetime given; deadlines need an aware datetime")
        return moment.astimezone(DISTRICT_TZ).date()
    return moment


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays and adjusted working days for the years in `loaded_years`."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    loaded_years: frozenset[int] = frozenset()
    names: Mapping[date, str] = field(default_factory=dict, compare=False)

    @classmethod
    def from_days(
        cls,
        holidays: Iterable[date] | Mapping[date, str],
        workdays: Iterable[date] | Mapping[date, str],
        loaded_years: Iterable[int],
    ) -> WorkCalendar:
        names: dict[date, str] = {}
        for days in (holidays, workdays):
            if isinstance(days, Mapping):
                names.update({d: n for d, n in days.items() if n})
        return cls(frozenset(holidays), frozenset(workdays), frozenset(loaded_years), names)

    def is_loaded(self, year: int) -> bool:
        return year in self.loaded_years

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def unloaded_years(self, start: date, end: date) -> tuple[int, ...]:
        """Years between two dates (inclusive, either order) that the calendar does not know."""
        low, high = sorted((start.year, end.year))
        return tuple(year for year in range(low, high + 1) if year not in self.loaded_years)


WEEKENDS_ONLY = WorkCalendar()


def add_working_days(start: date, n: int, calendar: WorkCalendar) -> date:
    """The date `n` working days after `start` (which itself is not counted). n=0 gives `start`."""
    if n < 0:
        raise ValueError("a number of working days cannot be negative")
    day = start
    counted = 0
    while counted < n:
        day += ONE_DAY
        if calendar.is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date, calendar: WorkCalendar) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -working_days_between(end, start, calendar)
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        if calendar.is_working_day(day):
            count += 1
    return count


@dataclass(frozen=True)
class Due:
    """A due date, and the years it was computed over that the calendar does not know."""

    date: date
    unloaded_years: tuple[int, ...] = ()

    @property
    def estimated(self) -> bool:
        return bool(self.unloaded_years)


def due_date(start: datetime | date, working_days: int, calendar: WorkCalendar) -> Due:
    """When something received at `start` is due, given a limit in working days."""
    first = local_date(start)
    due = add_working_days(first, working_days, calendar)
    return Due(due, calendar.unloaded_years(first, due))


def working_days_elapsed(since: datetime | date, now: datetime | date, calendar: WorkCalendar) -> int:
    """How many working days have passed since `since` (its own day not counted), never negative."""
    return max(0, working_days_between(local_date(since), local_date(now), calendar))


class Light(enum.StrEnum):
    GREEN = "green"  # comfortably in time
    AMBER = "amber"  # due within a few working days
    RED = "red"  # due today
    OVERDUE = "overdue"  # past its due date


def traffic_light(due: date, today: datetime | date, calendar: WorkCalendar, *, amber_within: int = 2) -> Light:
    """The colour the desk shows for a deadline. `amber_within` working days before it turns amber."""
    today = local_date(today)
    if today > due:
        return Light.OVERDUE
    remaining = working_days_between(today, due, calendar)
    if remaining == 0:
        return Light.RED
    if remaining <= amber_within:
        return Light.AMBER
    return Light.GREEN
