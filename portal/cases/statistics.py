"""Figures per department for a period, computed by the database with aggregates.

For each department: cases received in the period, closed in it (and not reopened since), the
share of those answered by their due date, open cases overdue now, the average handling time in
working days (received to closed) and the satisfaction of the ratings given in the period.

Working days are counted in SQL too: weekdays between two dates by arithmetic on day numbers,
corrected by the calendar table (holidays on weekdays off, adjusted working weekends on). Cases
are first grouped by (department, day received, day closed), so the calendar correction runs once
per distinct pair of days, never once per case. Beyond the loaded years only weekends count,
as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Date, Integer, String, and_, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from portal.cases.access import overdue_condition
from portal.cases.clock import OPEN_STATES
from portal.cases.deadlines import DISTRICT_TZ
from portal.models.calendar import CalendarDay, DayKind
from portal.models.case import Case, CaseState, Rating

# --- portable SQL functions ----------------------------------------------------------------------


class local_day(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    """The district's calendar date of a UTC timestamp (China keeps UTC+8 all year)."""

    type = Date()
    inherit_cache = True
    name = "local_day"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(local_day, "postgresql")
def _local_day_postgresql(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') + INTERVAL '8 hours' AS DATE)"


class local_month(FunctionElement):  # noqa: N801 - reads as the SQL function it is
    """'YYYY-MM' of a UTC timestamp in the district's time (UTC+8 all year)."""

    type = String()
    inherit_cache = True
    name = "local_month"


@compiles(local_month, "sqlite")
def _local_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}, '+8 hours')"


@compiles(local_month, "postgresql")
def _local_month_postgresql(element, compiler, **kw):
    return f"to_char(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') + INTERVAL '8 hours', 'YYYY-MM')"


class sunday_number(FunctionElement):  # noqa: N801
    """Days since a Sunday long ago: 0 mod 7 on Sundays, 1 on Mondays ... 6 on Saturdays."""

    type = Integer()
    inherit_cache = True
    name = "sunday_number"


@compiles(sunday_number, "sqlite")
def _sunday_number_sqlite(element, compiler, **kw):
    # julianday() of a date is n.5; the integer part is 5 mod 7 on Sundays.
    return f"(CAST(julianday({compiler.process(element.clauses, **kw)}) AS INTEGER) - 5)"


@compiles(sunday_number, "postgresql")
def _sunday_number_postgresql(element, compiler, **kw):
    return f"(CAST({compiler.process(element.clauses, **kw)} AS DATE) - DATE '1999-12-26')"


def weekdays_through(day):
    """Monday-to-Friday days from the epoch Sunday through `day` (an SQL date expression)."""
    n = sunday_number(day)
    rest = n % 7
    return (n // 7) * 5 + case((rest > 5, 5), else_=rest)


def calendar_correction(after, through):
    """Working days the calendar adds (adjusted weekends) minus those it removes (holidays on
    weekdays) in (after, through]: a correlated subquery on the small calendar table."""
    weekday = sunday_number(CalendarDay.day) % 7
    value = case(
        (CalendarDay.kind == DayKind.WORKDAY, 1),
        (and_(weekday >= 1, weekday <= 5), -1),
        else_=0,
    )
    return (
        select(func.coalesce(func.sum(value), 0))
        .where(CalendarDay.day > after, CalendarDay.day <= through)
        .scalar_subquery()
    )


def working_days_sql(after, through):
    """Working days after `after` up to and including `through`, as in `deadlines.working_days_between`."""
    return weekdays_through(through) - weekdays_through(after) + calendar_correction(after, through)


# --- the figures ---------------------------------------------------------------------------------

SATISFIED = (Rating.VERY_SATISFIED, Rating.SATISFIED, Rating.BASICALLY_SATISFIED)


@dataclass
class DepartmentFigures:
    department_id: int | None  # None: the total over the departments shown
    received: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue_now: int = 0
    handling_days_total: int = 0  # over the closed cases
    rated: int = 0
    satisfied: int = 0
    score_total: int = 0

    @property
    def on_time_percent(self) -> float | None:
        return 100.0 * self.closed_on_time / self.closed if self.closed else None

    @property
    def average_handling_days(self) -> float | None:
        return self.handling_days_total / self.closed if self.closed else None

    @property
    def satisfaction_percent(self) -> float | None:
        return 100.0 * self.satisfied / self.rated if self.rated else None

    @property
    def average_score(self) -> float | None:
        return self.score_total / self.rated if self.rated else None

    def add(self, other: DepartmentFigures) -> None:
        for name in ("received", "closed", "closed_on_time", "overdue_now", "handling_days_total", "rated",
                     "satisfied", "score_total"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants of the district's midnight opening `start` and closing `end`."""
    return (
        datetime.combine(start, time(0), DISTRICT_TZ),
        datetime.combine(end + timedelta(days=1), time(0), DISTRICT_TZ),
    )


def department_figures(
    session: Session, start: date, end: date, today: date, department_ids: list[int] | None = None
) -> dict[int, DepartmentFigures]:
    """Figures per owning department for the period [start, end] (district dates, inclusive).

    `department_ids` limits them to those departments (None: every department with any figure).
    Five grouped queries; nothing is loaded per case.
    """
    since, until = period_bounds(start, end)
    figures: dict[int, DepartmentFigures] = {}

    def row(department_id: int) -> DepartmentFigures:
        return figures.setdefault(department_id, DepartmentFigures(department_id))

    def scoped(query):
        return query.where(Case.department_id.in_(department_ids)) if department_ids is not None else query

    received = scoped(
        select(Case.department_id, func.count())
        .where(Case.submitted_at >= since, Case.submitted_at < until)
        .group_by(Case.department_id)
    )
    for department_id, count in session.execute(received):
        row(department_id).received = count

    # Closed in the period and still closed: a case reopened after a dissatisfied rating is not
    # finished, and counts again (judged against its rectification deadline) once closed again.
    closed_in_period = and_(Case.closed_at >= since, Case.closed_at < until, Case.state == CaseState.CLOSED)
    answered_day = local_day(func.coalesce(Case.replied_at, Case.closed_at))
    closed = scoped(
        select(
            Case.department_id,
            func.count(),
            func.sum(case((answered_day <= Case.reply_due, 1), else_=0)),
        )
        .where(closed_in_period)
        .group_by(Case.department_id)
    )
    for department_id, count, on_time in session.execute(closed):
        row(department_id).closed, row(department_id).closed_on_time = count, int(on_time or 0)

    # Handling time: group by the pair of days first, then count working days per pair.
    pairs = scoped(
        select(
            Case.department_id.label("department_id"),
            local_day(Case.submitted_at).label("received_on"),
            local_day(Case.closed_at).label("closed_on"),
            func.count().label("cases"),
        )
        .where(closed_in_period)
        .group_by(Case.department_id, local_day(Case.submitted_at), local_day(Case.closed_at))
    ).subquery()
    handling = select(
        pairs.c.department_id,
        func.sum(pairs.c.cases * working_days_sql(pairs.c.received_on, pairs.c.closed_on)),
    ).group_by(pairs.c.department_id)
    for department_id, total in session.execute(handling):
        row(department_id).handling_days_total = int(total or 0)

    overdue = scoped(
        select(Case.department_id, func.count())
        .where(Case.state.in_(tuple(OPEN_STATES)), overdue_condition(today))
        .group_by(Case.department_id)
    )
    for department_id, count in session.execute(overdue):
        row(department_id).overdue_now = count

    score = case(*((Case.rating == rating, literal(rating.score)) for rating in Rating), else_=0)
    ratings = scoped(
        select(
            Case.department_id,
            func.count(),
            func.sum(case((Case.rating.in_(SATISFIED), 1), else_=0)),
            func.sum(score),
        )
        .where(Case.rated_at >= since, Case.rated_at < until, Case.rating.is_not(None))
        .group_by(Case.department_id)
    )
    for department_id, count, satisfied, total in session.execute(ratings):
        item = row(department_id)
        item.rated, item.satisfied, item.score_total = count, int(satisfied or 0), int(total or 0)

    if department_ids is not None:
        for department_id in department_ids:
            row(department_id)
    return figures


def total(figures: dict[int, DepartmentFigures]) -> DepartmentFigures:
    result = DepartmentFigures(None)
    for item in figures.values():
        result.add(item)
    return result
