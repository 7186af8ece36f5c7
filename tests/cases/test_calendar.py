"""The calendar as data: seeded from the package, extended by an administrator, and a newly
loaded year correcting the due dates that were estimated without it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from portal.cases import CalendarError, load_calendar_years, save_calendar_year, work_calendar
from portal.cases.calendar import MANUAL_SOURCE
from portal.models import AuditEvent, CalendarDay, CalendarYear

PACKAGE_YEARS = list(range(2004, 2027))


def test_loading_seeds_every_year_the_package_knows_once(world, calendar):
    assert work_calendar(world.session).loaded_years == frozenset()
    assert load_calendar_years(world.session) == PACKAGE_YEARS
    assert load_calendar_years(world.session) == []
    loaded = work_calendar(world.session)
    assert loaded == calendar
    assert loaded.names[date(2026, 2, 17)] == "Spring Festival"
    year = world.session.get(CalendarYear, 2026)
    assert year.source.startswith("chinesecalendar ")
    assert world.session.scalar(select(func.count()).select_from(CalendarDay).where(CalendarDay.year == 2026)) == 39


def test_an_administrator_adds_the_next_year(world):
    load_calendar_years(world.session)
    save_calendar_year(
        world.session,
        2027,
        holidays={date(2027, 1, 1): "New Year's Day"},
        workdays={date(2027, 2, 6): "Spring Festival"},  # a Saturday
        actor_id=world.dispatcher.id,
    )
    loaded = work_calendar(world.session)
    assert loaded.is_loaded(2027)
    assert not loaded.is_working_day(date(2027, 1, 1))
    assert loaded.is_working_day(date(2027, 2, 6))
    audit = world.session.scalars(select(AuditEvent).where(AuditEvent.action == "calendar.year_saved")).all()[-1]
    assert (audit.actor_id, audit.object_id) == (world.dispatcher.id, "2027")
    # Reloading from the package leaves the hand-entered year alone.
    assert load_calendar_years(world.session) == []
    assert world.session.get(CalendarYear, 2027).source == MANUAL_SOURCE


def test_saving_a_year_again_replaces_its_days(world):
    save_calendar_year(world.session, 2027, holidays={date(2027, 1, 1): "New Year"}, workdays={})
    save_calendar_year(
        world.session, 2027, holidays={date(2027, 1, 1): "New Year's Day", date(2027, 1, 2): "New Year"}, workdays={}
    )
    world.session.expire_all()
    days = world.session.execute(
        select(CalendarDay.day, CalendarDay.name).where(CalendarDay.year == 2027).order_by(CalendarDay.day)
    ).all()
    assert days == [(date(2027, 1, 1), "New Year's Day"), (date(2027, 1, 2), "New Year")]
    save_calendar_year(world.session, 2027, holidays={}, workdays={})
    assert world.session.scalars(select(CalendarDay).where(CalendarDay.year == 2027)).all() == []


def test_the_calendar_in_use_follows_every_change_of_a_year(world):
    """The built calendar is kept between requests; saving a year, on any node, must show at once."""
    save_calendar_year(world.session, 2027, holidays={date(2027, 1, 1): "New Year"}, workdays={})
    assert not work_calendar(world.session).is_working_day(date(2027, 1, 1))
    assert work_calendar(world.session) is work_calendar(world.session)  # nothing changed: kept
    save_calendar_year(world.session, 2027, holidays={date(2027, 1, 4): "A day off"}, workdays={})
    changed = work_calendar(world.session)
    assert changed.is_working_day(date(2027, 1, 1)) and not changed.is_working_day(date(2027, 1, 4))


@pytest.mark.parametrize(
    ("holidays", "workdays", "code"),
    [
        ({date(2028, 1, 1): "x"}, {}, "calendar_date_outside_year"),
        ({date(2027, 2, 6): "x"}, {date(2027, 2, 6): "x"}, "calendar_day_both_kinds"),
        ({}, {date(2027, 2, 8): "x"}, "calendar_workday_not_weekend"),  # a Monday
    ],
)
def test_a_year_that_makes_no_sense_is_refused(world, holidays, workdays, code):
    with pytest.raises(CalendarError) as raised:
        save_calendar_year(world.session, 2027, holidays=holidays, workdays=workdays)
    assert raised.value.code == code
    assert world.session.get(CalendarYear, 2027) is None


def test_loading_a_year_recomputes_the_due_dates_estimated_without_it(world):
    load_calendar_years(world.session)
    world.now = datetime(2026, 12, 28, 2, 0, tzinfo=UTC)  # Monday 28 December 2026
    world.calendar = work_calendar(world.session)
    case = world.submit()
    # 29, 30, 31 December, then 1 January 2027 (not known to be a holiday yet), 4 January.
    assert case.reply_due == date(2027, 1, 4)
    assert case.due_estimated
    closed = world.submit()
    closed.state = closed.state.CLOSED  # a finished case is left as it was
    world.session.flush()

    save_calendar_year(world.session, 2027, holidays={date(2027, 1, 1): "New Year's Day"}, workdays={})
    assert case.reply_due == date(2027, 1, 5)
    assert not case.due_estimated
    event = case.events[-1]
    assert (event.action, event.actor_id) == ("recalculate", None)
    assert event.details["previous_reply_due"] == "2027-01-04"
    assert closed.due_estimated and closed.events[-1].action == "submit"


def test_submitting_reads_the_calendar_from_the_database_when_not_given(world):
    load_calendar_years(world.session)
    world.calendar = None
    world.now = datetime(2026, 2, 13, 2, 0, tzinfo=UTC)  # Friday before the Spring Festival
    case = world.submit()
    assert case.accept_due == date(2026, 2, 14)  # the adjusted working Saturday
    assert case.reply_due == date(2026, 2, 27)
