"""The working-day calendar kept in the database: load it, seed it, extend it.

`work_calendar(session)` builds the pure `WorkCalendar` the deadline functions take.
`load_calendar_years(session)` seeds every year the chinesecalendar package knows;
`save_calendar_year(...)` is what an administrator's form calls when the State Council publishes
the next year's schedule. Either one recomputes the due dates that were estimated without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from importlib.metadata import PackageNotFoundError, version

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.cases.deadlines import WorkCalendar
from portal.cases.errors import CalendarError
from portal.models.base import utcnow
from portal.models.calendar import CalendarDay, CalendarYear, DayKind

MANUAL_SOURCE = "manual"
PACKAGE_SOURCE_PREFIX = "chinesecalendar"


# The last calendar built, by database and by the years' load times: the desk needs it on every
# page, and the years (a row each) tell much faster than the days (hundreds) whether it changed.
# Saving a year sets its load time, on whichever node, so no process uses an outdated calendar.
_built: tuple[tuple, WorkCalendar] | None = None


def work_calendar(session: Session) -> WorkCalendar:
    """Every loaded year's holidays and adjusted working days, as one calendar object."""
    global _built
    years = session.execute(select(CalendarYear.year, CalendarYear.loaded_at).order_by(CalendarYear.year)).all()
    key = (str(session.get_bind().url), tuple(map(tuple, years)))
    built = _built
    if built is not None and built[0] == key:
        return built[1]
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    for day, kind, name in session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)):
        (holidays if kind == DayKind.HOLIDAY else workdays)[day] = name or ""
    calendar = WorkCalendar.from_days(holidays, workdays, {year for year, _ in years})
    _built = (key, calendar)
    return calendar


def package_years() -> dict[int, tuple[dict[date, str], dict[date, str]]]:
    """The chinesecalendar package's data by year: (holidays, adjusted working days), with names."""
    from chinese_calendar import constants

    years: dict[int, tuple[dict[date, str], dict[date, str]]] = {}
    for index, days in enumerate((constants.holidays, constants.workdays)):
        for day, name in days.items():
            years.setdefault(day.year, ({}, {}))[index][day] = str(name)
    return dict(sorted(years.items()))


def _package_source() -> str:
    try:
        return f"{PACKAGE_SOURCE_PREFIX} {version('chinesecalendar')}"
    except PackageNotFoundError:  # pragma: no cover - the package is a dependency
        return PACKAGE_SOURCE_PREFIX


def save_calendar_year(
    session: Session,
    year: int,
    *,
    holidays: Mapping[date, str],
    workdays: Mapping[date, str],
    source: str = MANUAL_SOURCE,
    actor_id: int | None = None,
    refresh: bool = True,
) -> CalendarYear:
    """Create or replace one year's calendar. Adjusted working days must fall on a weekend."""
    for day in (*holidays, *workdays):
        if day.year != year:
            raise CalendarError("calendar_date_outside_year", day=day.isoformat(), year=year)
    both = set(holidays) & set(workdays)
    if both:
        raise CalendarError("calendar_day_both_kinds", day=min(both).isoformat())
    weekday_workdays = sorted(day for day in workdays if day.weekday() < 5)
    if weekday_workdays:
        raise CalendarError("calendar_workday_not_weekend", day=weekday_workdays[0].isoformat())

    row = session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year, source=source)
        session.add(row)
    row.source = source
    row.loaded_by_id = actor_id
    row.loaded_at = utcnow()  # also tells every process that its calendar is out of date
    row.days = [CalendarDay(day=d, kind=DayKind.HOLIDAY, name=n or None) for d, n in sorted(holidays.items())] + [
        CalendarDay(day=d, kind=DayKind.WORKDAY, name=n or None) for d, n in sorted(workdays.items())
    ]
    session.flush()
    audit.record(
        session,
        "calendar.year_saved",
        actor_id=actor_id,
        object_type="calendar_year",
        object_id=year,
        source=source,
        holidays=len(holidays),
        workdays=len(workdays),
    )
    if refresh:
        refresh_estimated_deadlines(session, work_calendar(session))
    return row


def load_calendar_years(session: Session, *, replace_manual: bool = False) -> list[int]:
    """Seed the calendar from the chinesecalendar package for every year it knows.

    Idempotent. A year an administrator entered by hand is kept unless `replace_manual`.
    Returns the years written. The caller commits.
    """
    existing = {row.year: row for row in session.scalars(select(CalendarYear))}
    source = _package_source()
    written = []
    for year, (holidays, workdays) in package_years().items():
        current = existing.get(year)
        if current is not None and current.source == MANUAL_SOURCE and not replace_manual:
            continue
        if current is not None and current.source == source:
            continue  # same package version, same data
        save_calendar_year(session, year, holidays=holidays, workdays=workdays, source=source, refresh=False)
        written.append(year)
    if written:
        refresh_estimated_deadlines(session, work_calendar(session))
    return written


def refresh_estimated_deadlines(session: Session, calendar: WorkCalendar) -> int:
    """Recompute the due dates of open cases that were estimated over a year not loaded then."""
    from portal.cases.workflow import recalculate_estimated_deadlines  # the state machine records it

    return recalculate_estimated_deadlines(session, calendar)
