"""Public reference numbers: SJ-2026-000123. Unique, sequential per year, safe under concurrency.

One counter row per (prefix, year) is incremented with a single UPDATE ... RETURNING, so two
transactions never read the same value: on PostgreSQL the second waits on the row lock until the
first commits; on SQLite the database-wide write lock does the same. The counter is taken inside
the caller's transaction, so a rolled-back submission hands its number back (no gaps).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.models.base import insert_if_absent
from portal.models.case import ReferenceCounter

DEFAULT_PREFIX = "SJ"


def _increment(session: Session, prefix: str, year: int) -> int | None:
    stmt = (
        update(ReferenceCounter)
        .where(ReferenceCounter.prefix == prefix, ReferenceCounter.year == year)
        .values(last_value=ReferenceCounter.last_value + 1)
        .returning(ReferenceCounter.last_value)
        .execution_options(synchronize_session=False)
    )
    return session.execute(stmt).scalar_one_or_none()


def _create_counter(session: Session, prefix: str, year: int) -> None:
    insert_if_absent(session, ReferenceCounter, {"prefix": prefix, "year": year, "last_value": 0})


def next_number(session: Session, year: int, prefix: str = DEFAULT_PREFIX) -> int:
    value = _increment(session, prefix, year)
    if value is None:
        # First case of the year: create the row (a concurrent creator makes this a no-op).
        _create_counter(session, prefix, year)
        value = _increment(session, prefix, year)
    assert value is not None
    return value


def format_reference(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def allocate_reference(session: Session, year: int, prefix: str = DEFAULT_PREFIX) -> str:
    """The next reference number for `year`, e.g. SJ-2026-000123."""
    return format_reference(prefix, year, next_number(session, year, prefix))
