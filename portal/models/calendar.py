"""The working-day calendar as data: official holidays and adjusted working days per year.

A year is "loaded" when it has a CalendarYear row. The days of a loaded year that differ from
the plain Monday-to-Friday rule are listed in CalendarDay: holidays (no work, even on a weekday)
and adjusted working days (调休, a weekend day worked). Seeded from the chinesecalendar package
and extended by an administrator each year when the State Council publishes the next schedule.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class DayKind(enum.StrEnum):
    HOLIDAY = "holiday"
    WORKDAY = "workday"


class CalendarYear(db.Model):
    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # "chinesecalendar 1.11.0" for a seeded year, "manual" for one entered by an administrator.
    source: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))

    days: Mapped[list[CalendarDay]] = relationship(
        back_populates="calendar_year", cascade="all, delete-orphan", order_by="CalendarDay.day"
    )

    def __repr__(self) -> str:
        return f"<CalendarYear {self.year} {self.source}>"


class CalendarDay(db.Model):
    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_year.year", ondelete="CASCADE"), index=True)
    kind: Mapped[DayKind] = mapped_column(
        Enum(DayKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    # The holiday's name as published, e.g. "Spring Festival" (英文名, as the package gives it).
    name: Mapped[str | None] = mapped_column(String(64))

    calendar_year: Mapped[CalendarYear] = relationship(back_populates="days")

    def __repr__(self) -> str:
        return f"<CalendarDay {self.day} {self.kind.value}>"
